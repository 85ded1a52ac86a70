import type { Page } from 'playwright-core';

/** The access token a page's client holds now (null when signed out). */
export const tokenOf = (page: Page) => page.evaluate(() => window.auth.getSession().then((s) => s?.accessToken ?? null));

/** Resolves when the page's client announced (a `token` event) a token other than `old`. */
export const waitForNewToken = (page: Page, old: string | null, timeout = 20_000) =>
  page.waitForFunction(
    // Synchronous on purpose: waitForFunction treats a returned promise as truthy.
    (o) => {
      const last = window.events.filter((e) => e.type === 'token').at(-1)?.token;
      return !!last && last !== o;
    },
    old,
    { timeout, polling: 100 },
  );

/** Runs `renew()` in the page: the new token, or the AuthError code it rejected with. */
export const renewIn = (page: Page) =>
  page.evaluate(() =>
    window.auth.renew().then(
      (s) => ({ token: s.accessToken, code: null as string | null }),
      (e) => ({ token: null, code: e.code as string }),
    ),
  );

export const iframeCount = (page: Page) => page.evaluate(() => document.querySelectorAll('iframe').length);

export const eventTypes = (page: Page) => page.evaluate(() => window.events.map((e) => e.type));

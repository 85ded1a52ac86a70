// Issue 6: the SDK and its silent page under a strict Content-Security-Policy with Trusted Types enforced.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { iframeCount, renewIn, tokenOf } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

let w: World;
const violations: string[] = [];

beforeAll(async () => {
  let idpOrigin = '';
  w = await startWorld({
    client: { automaticSilentRenew: false },
    appServer: {
      // Every page of the app origin, the silent page included.
      headers: () => ({
        'Content-Security-Policy': [
          "default-src 'self'",
          "script-src 'self'",
          // The iframe starts at the provider and ends on the app's own silent page.
          `frame-src 'self' ${idpOrigin}`,
          `connect-src 'self' ${idpOrigin}`,
          "require-trusted-types-for 'script'",
          'trusted-types',
        ].join('; '),
      }),
    },
  });
  idpOrigin = w.idp.issuer;
  w.configure({ silentRedirectUri: `${w.app.origin}/silent-renew-csp.html`, redirectUri: `${w.app.origin}/app-csp.html` });
});
afterAll(() => w?.close());

test('login, silent renew and logout work with no CSP or Trusted Types violation', async () => {
  const page = await w.open('/app-csp.html');
  page.on('console', (m) => {
    if (/Content Security Policy|TrustedType|Trusted Type/i.test(m.text())) violations.push(m.text());
  });
  await w.login(page);
  const first = await tokenOf(page);
  expect(first).toBeTruthy();
  const renewed = await renewIn(page);
  expect(renewed.code).toBeNull();
  expect(renewed.token).not.toBe(first);
  // After a success the iframe goes in the task after the token reached the app.
  await expect.poll(() => iframeCount(page)).toBe(0);
  await Promise.all([page.waitForURL(`${w.app.origin}/blank.html`), page.evaluate(() => window.auth.logout())]);
  expect(violations).toEqual([]);
});

test('the policy really is enforced: an inline script on the same page is blocked', async () => {
  const page = await w.open('/app-csp.html');
  const thrown = await page.evaluate(() => {
    try {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.body.append(s);
      return null;
    } catch (e) {
      return String(e);
    }
  });
  // Trusted Types refuses the plain string outright.
  expect(thrown).toMatch(/TrustedScript/);
  expect(await page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
});

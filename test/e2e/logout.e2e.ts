// Issue 12: logout that sticks, and the current login winning over late answers, in real Chromium across tabs.
import type { Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { fillLogin } from './support/login.js';
import { eventTypes, renewIn, tokenOf, waitForNewToken } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

/** Holds the page's next token request until `release()`; `seen` settles when it was made. */
async function holdTokenRequest(page: Page, w: World) {
  let seen!: () => void;
  let route!: Route;
  const made = new Promise<void>((r) => (seen = r));
  await page.route(
    (url) => url.origin === w.idp.issuer && url.pathname === '/token',
    (r) => {
      route = r;
      seen();
    },
    { times: 1 },
  );
  return { made, release: () => route.continue() };
}

const subOf = (page: Page) => page.evaluate(() => window.auth.getSession().then((s) => s?.claims?.sub ?? null));
const storedKeys = (page: Page) => page.evaluate(() => Object.keys(sessionStorage).filter((k) => !k.endsWith(':tx')));

describe('logout across tabs (session storage, no refresh token: the CONNECT case)', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ client: { automaticSilentRenew: false } });
  });
  afterAll(() => w?.close());
  afterEach(() => w.reset());

  test('a tab that was away when another tab logged out comes back signed out, and cannot renew', async () => {
    const a = await w.open();
    await w.login(a);
    const b = await w.open();
    expect(await tokenOf(b)).toBe(await tokenOf(a));
    // Tab A leaves the app; its sessionStorage keeps its copy of the session.
    await a.goto(`${w.app.origin}/blank.html`);
    await Promise.all([b.waitForURL(`${w.app.origin}/blank.html`), b.evaluate(() => window.auth.logout())]);
    // Back to the app (from the back/forward cache or loaded again: signed out either way).
    await a.goBack();
    await a.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    expect(await tokenOf(a)).toBeNull();
    // Its stored copy is gone, not only ignored.
    expect((await storedKeys(a)).filter((k) => k.startsWith('cpk:'))).toEqual([]);
    w.idp.reset();
    expect((await renewIn(a)).code).toBe('login_required');
    // Refused without asking the provider, whose session may still be alive.
    expect(w.idp.requests).toEqual([]);
  });

  test('a renewal that lands after a logout in another tab signs nobody back in', async () => {
    const a = await w.open();
    await w.login(a);
    const b = await w.open();
    const held = await holdTokenRequest(a, w);
    await a.evaluate(() => {
      (window as unknown as { pending: Promise<unknown> }).pending = window.auth.renew().then(
        (s) => s.accessToken,
        (e) => e.code,
      );
    });
    await held.made;
    await Promise.all([b.waitForURL(`${w.app.origin}/blank.html`), b.evaluate(() => window.auth.logout())]);
    await a.waitForFunction(() => window.events.some((e) => e.type === 'logout'));
    await held.release();
    expect(await a.evaluate(() => (window as unknown as { pending: Promise<unknown> }).pending)).toBe('login_required');
    expect(await tokenOf(a)).toBeNull();
    // The login, the logout, the refused renewal: no token after the logout.
    expect(await eventTypes(a)).toEqual(['token', 'logout', 'renewError']);
    const c = await w.open();
    expect(await tokenOf(c)).toBeNull();
  });

  test("an account switch in another tab is not undone by this tab's late renewal of the earlier account", async () => {
    const a = await w.open();
    await w.login(a, 'alice');
    const b = await w.open();
    const held = await holdTokenRequest(a, w);
    await a.evaluate(() => void window.auth.renew().catch(() => {}));
    await held.made;
    // Tab B signs in as someone else.
    await Promise.all([b.waitForURL((u) => u.hostname === 'idp.test'), b.evaluate(() => window.auth.login({ prompt: 'login' }))]);
    await fillLogin(b, 'bob');
    await b.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    await expect.poll(() => subOf(a)).toBe('bob');
    await held.release();
    await a.waitForFunction(() => !document.querySelector('iframe'));
    await new Promise((r) => setTimeout(r, 500));
    expect(await subOf(a)).toBe('bob');
    expect(await subOf(b)).toBe('bob');
    expect(await tokenOf(a)).toBe(await tokenOf(b));
  });
});

describe('the renewing tab closed mid-cycle (local storage: tabs that never exchanged a message)', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ refreshTokens: true, client: { automaticSilentRenew: false, storage: 'local' } });
  });
  afterAll(() => w?.close());

  test('the tabs that waited for the lock take its renewal: one token request for the cycle', async () => {
    const a = await w.open();
    await w.login(a);
    const original = await tokenOf(a);
    // B and C read the session from localStorage: none of the three tabs has heard from another.
    const b = await w.open();
    const c = await w.open();
    expect(await tokenOf(c)).toBe(original);
    w.idp.reset();
    const held = await holdTokenRequest(a, w);
    await a.evaluate(() => void window.auth.renew());
    await held.made;
    for (const tab of [b, c]) await tab.evaluate(() => void window.auth.renew().catch(() => {}));
    await held.release();
    await waitForNewToken(a, original);
    const renewed = await tokenOf(a);
    await a.close();
    for (const tab of [b, c]) await waitForNewToken(tab, original);
    expect(await tokenOf(b)).toBe(renewed);
    expect(await tokenOf(c)).toBe(renewed);
    expect(w.idp.count('token')).toBe(1);
  });

  test('during an outage, an app that keeps calling getAccessToken() makes one request per backoff step', async () => {
    const page = await w.open();
    expect(await tokenOf(page)).toBeTruthy();
    w.idp.reset();
    w.idp.setDown(true);
    // Past the renewal window: every call wants a new token.
    const codes = await page.evaluate(async () => {
      const s = await window.auth.getSession();
      const realNow = Date.now;
      Date.now = () => realNow() + (s!.expiresAt - realNow()) + 1_000;
      const seen: string[] = [];
      for (let i = 0; i < 30; i++) {
        seen.push(await window.auth.getAccessToken().then(() => 'token', (e) => e.code));
        await new Promise((r) => setTimeout(r, 50));
      }
      Date.now = realNow;
      return seen;
    });
    w.idp.setDown(false);
    expect(new Set(codes)).toEqual(new Set(['network']));
    // 30 calls over about 1.5 s: the first attempt and at most two after its backoff steps (0.5-1 s, 1-2 s).
    expect(w.idp.count('token')).toBeGreaterThanOrEqual(1);
    expect(w.idp.count('token')).toBeLessThanOrEqual(3);
  });
});

describe('refresh-token rotation with a shorter renewed lifetime', () => {
  let w: World;
  beforeAll(async () => {
    // The login's token lives an hour, every refreshed one two minutes: the renewed session expires sooner.
    w = await startWorld({
      refreshTokens: true,
      accessTokenTtl: (ctx) => (ctx.oidc?.params?.grant_type === 'refresh_token' ? 120 : 3600),
      client: { automaticSilentRenew: false },
    });
  });
  afterAll(() => w?.close());

  test("the other tabs take the renewed session, and their next renewal redeems the rotated refresh token", async () => {
    const a = await w.open();
    await w.login(a);
    const b = await w.open();
    const original = await tokenOf(b);
    const renewed = await renewIn(a);
    expect(renewed.code).toBeNull();
    await waitForNewToken(b, original);
    expect(await tokenOf(b)).toBe(renewed.token);
    expect(await b.evaluate(() => window.auth.getSession().then((s) => s!.expiresAt - Date.now()))).toBeLessThan(130_000);
    w.idp.reset();
    expect((await renewIn(b)).code).toBeNull();
    // One refresh, with the token A's renewal issued: no reuse of a rotated one (which would revoke the grant).
    expect(w.idp.requests.map((r) => r.params.grant_type)).toEqual(['refresh_token']);
    expect((await renewIn(a)).code).toBeNull();
  });
});

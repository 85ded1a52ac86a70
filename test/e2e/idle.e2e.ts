// Issue 14: idle sign-out in real Chromium, two tabs of one app sharing their activity. Issue 19: in both setups a user
// may have: the shipped silent page, and the default (no silent page: the app's own page is the silent redirect URI,
// so every renewal boots the app, and its idle sign-out, in the SDK's hidden iframe).
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { tokenOf } from './support/page-utils.js';
import { startWorld, type World, type WorldOptions } from './support/world.js';

/** The two setups; `silentRedirectUri: undefined` leaves the option out, so it defaults to the redirect URI. */
const SETUPS = [
  ['the shipped silent page', {}],
  ['the default setup (silent redirect URI = the app page)', { silentRedirectUri: undefined }],
] as const;

/**
 * Client options for pages loaded from now on, and `signOutWhenIdle` started at boot in each of them, as an app's
 * start-up code does (test/e2e/pages/boot.js): signed out after `after` s idle, a countdown of `countdown` s,
 * recorded in `window.countdown`.
 */
const startIdle = (w: World, client: Record<string, unknown>, after: number, countdown: number) => {
  w.configure(client);
  w.app.setConfig({ client: w.client, idle: { after, countdown } });
};

/** Signed out: the app page has no session, or it is the post-logout page the provider sent it to. */
const signedOut = (page: Page) =>
  new URL(page.url()).pathname === '/blank.html'
    ? Promise.resolve(true)
    : page.evaluate(() => window.auth.getSession().then((s) => s === null)).catch(() => null);

/** A world for one setup, closed after its suite, reset after each test. */
function useWorld(o: WorldOptions): { w: World } {
  const box = {} as { w: World };
  beforeAll(async () => {
    box.w = await startWorld(o);
  });
  afterAll(() => box.w?.close());
  afterEach(() => box.w.reset());
  return box;
}

describe.each(SETUPS)('idle sign-out across tabs, with %s', (_setup, setup) => {
  const box = useWorld({ client: { automaticSilentRenew: false } });

  test('activity in one tab keeps every tab signed in; once all are idle, a countdown and a logout in every tab', async () => {
    const { w } = box;
    startIdle(w, setup, 4, 2);
    const a = await w.open();
    await w.login(a);
    const b = await w.open();
    expect(await tokenOf(b)).toBe(await tokenOf(a));

    // The user works in tab B only, for longer than the idle time.
    for (let i = 0; i < 14; i++) {
      await b.mouse.move(20 + (i % 2) * 10, 20);
      await b.waitForTimeout(500);
    }
    expect(await tokenOf(a)).not.toBeNull();
    expect(await tokenOf(b)).not.toBeNull();

    // Then nobody does anything: both tabs count down, and both end signed out. One tab logs out at the provider: the
    // SDK posts to its end-session endpoint, which sends that tab to the post-logout page; the other is signed out
    // with it and stays on the app. (Polled to the end: the acting tab clears its session before it navigates.)
    const endSessions: string[] = [];
    for (const p of [a, b]) {
      p.on('request', (r) => {
        if (r.isNavigationRequest() && new URL(r.url()).pathname === '/session/end') endSessions.push(r.url());
      });
    }
    await expect.poll(() => a.evaluate(() => window.countdown), { timeout: 10_000 }).toEqual(expect.arrayContaining([2, 1]));
    const onPostLogoutPage = (p: Page) => new URL(p.url()).pathname === '/blank.html';
    await expect
      .poll(
        async () => {
          const stayed = [a, b].filter((p) => !onPostLogoutPage(p));
          return stayed.length === 1 && (await signedOut(stayed[0] as Page)) === true;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(endSessions).toHaveLength(1);
  });

  // The ES module, and the add-on's own script loaded after the script-tag build.
  test.each(['/app.html', '/app-iife.html'])('%s: activity during the countdown in the other tab ends it in both', async (path) => {
    const { w } = box;
    // The countdown (the last 6 s of 8) leaves time for the other tab's key press to arrive on a loaded machine.
    startIdle(w, { ...setup, redirectUri: w.app.origin + path }, 8, 6);
    const a = await w.open(path);
    await w.login(a);
    const b = await w.open(path);
    // The script-tag page has no module of the SDK: only its global, extended by the add-on's script.
    if (path === '/app-iife.html') expect(await a.evaluate(() => typeof window.ConnectPkce?.signOutWhenIdle)).toBe('function');
    await expect.poll(() => a.evaluate(() => window.countdown?.length), { timeout: 5_000 }).toBeGreaterThan(0);
    await b.keyboard.press('Shift');
    await expect.poll(() => a.evaluate(() => window.countdown?.at(-1)), { timeout: 5_000 }).toBe('active');
    await expect.poll(() => b.evaluate(() => window.countdown?.at(-1)), { timeout: 5_000 }).toBe('active');
    expect(await tokenOf(a)).not.toBeNull();
  });
});

describe.each(SETUPS)('idle sign-out while background renewals run, with %s', (_setup, client) => {
  // 6 s tokens renewed 3 s before they expire: several renewals within one idle period.
  const box = useWorld({ accessTokenTtl: 6, client: { renewBeforeExpiry: 3 } });

  test('nobody at the keyboard: signed out although the hidden iframe renewed the session meanwhile', async () => {
    const { w } = box;
    // The token endpoint a few hundred ms away, as CONNECT is from most users: here, next door, a renewal's code
    // exchange is over, and its iframe gone, before the app booting in there has even read its session.
    await w.browser.context.route(
      (url) => url.pathname.endsWith('/token'),
      async (route) => {
        await new Promise((r) => setTimeout(r, 300));
        await route.continue();
      },
    );
    startIdle(w, client, 8, 2);
    const a = await w.open();
    await w.login(a);
    const renewals = w.idp.count('authorize', { prompt: 'none' });
    const appLoads = w.app.counts.get('/app.html') ?? 0;
    await expect.poll(() => signedOut(a), { timeout: 20_000 }).toBe(true);
    // Renewals did run meanwhile; in the default setup each loaded the app (and its idle sign-out) in the iframe.
    expect(w.idp.count('authorize', { prompt: 'none' })).toBeGreaterThan(renewals);
    if ('silentRedirectUri' in client) expect(w.app.counts.get('/app.html') ?? 0).toBeGreaterThan(appLoads);
  });
});

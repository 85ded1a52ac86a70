// Issue 14: idle sign-out in real Chromium, two tabs of one app sharing their activity.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { tokenOf } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

/** Starts `signOutWhenIdle` in a page: signed out after `after` s idle, a countdown of `countdown` s, recorded. */
const startIdle = (page: Page, after: number, countdown: number) =>
  page.evaluate(
    async ([after, countdown]) => {
      const { signOutWhenIdle } = await window.importAddOn('idle');
      window.countdown = [];
      window.idle = signOutWhenIdle(window.auth, {
        after,
        countdown,
        onCountdown: (left) => window.countdown?.push(left),
        onActive: () => window.countdown?.push('active'),
      });
    },
    [after, countdown] as const,
  );

/** Signed out: the app page has no session, or it is the post-logout page the provider sent it to. */
const signedOut = (page: Page) =>
  new URL(page.url()).pathname === '/blank.html'
    ? Promise.resolve(true)
    : page.evaluate(() => window.auth.getSession().then((s) => s === null)).catch(() => null);

describe('idle sign-out across tabs', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ client: { automaticSilentRenew: false } });
  });
  afterAll(() => w?.close());
  afterEach(() => w.reset());

  test('activity in one tab keeps every tab signed in; once all are idle, a countdown and a logout in every tab', async () => {
    const a = await w.open();
    await w.login(a);
    const b = await w.open();
    expect(await tokenOf(b)).toBe(await tokenOf(a));
    await startIdle(a, 4, 2);
    await startIdle(b, 4, 2);

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
    w.configure({ redirectUri: w.app.origin + path });
    const a = await w.open(path);
    await w.login(a);
    const b = await w.open(path);
    await startIdle(a, 4, 3);
    await startIdle(b, 4, 3);
    // The script-tag page has no module of the SDK: only its global, extended by the add-on's script.
    if (path === '/app-iife.html') expect(await a.evaluate(() => typeof window.ConnectPkce?.signOutWhenIdle)).toBe('function');
    await expect.poll(() => a.evaluate(() => window.countdown?.length), { timeout: 5_000 }).toBeGreaterThan(0);
    await b.keyboard.press('Shift');
    await expect.poll(() => a.evaluate(() => window.countdown?.at(-1)), { timeout: 3_000 }).toBe('active');
    await expect.poll(() => b.evaluate(() => window.countdown?.at(-1)), { timeout: 3_000 }).toBe('active');
    expect(await tokenOf(a)).not.toBeNull();
  });
});

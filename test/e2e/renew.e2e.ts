// Issue 3: silent renewal in a hidden iframe, in real Chromium, app and provider cross-site.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { testFetch } from './support/http.js';
import { eventTypes, iframeCount, renewIn, tokenOf, waitForNewToken } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

const silentRequests = (w: World) => w.idp.count('authorize', { prompt: 'none' });

describe('with a short-lived token (8 s) and third-party cookies allowed', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ accessTokenTtl: 8, client: { renewBeforeExpiry: 3 } });
  });
  afterAll(() => w?.close());
  afterEach(() => w.reset());

  test('renews automatically before expiry: expiring then token, no navigation, no iframe left', async () => {
    const page = await w.open();
    await w.login(page);
    const first = await tokenOf(page);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));

    await waitForNewToken(page, first);
    expect(await eventTypes(page)).toEqual(['token', 'expiring', 'token']);
    expect(navigations).toEqual([]);
    // After a success the iframe goes in the task after the token reached the app.
    await expect.poll(() => iframeCount(page)).toBe(0);
    // The silent request carried prompt=none and the tenant, to the silent page.
    expect(w.idp.requests.filter((r) => r.params.prompt === 'none').map((r) => r.params)).toEqual([
      expect.objectContaining({ acr_values: 'tenant:t-123', redirect_uri: `${w.app.origin}/silent-renew.html` }),
    ]);
  });

  test('ten manual renews in a row each give a new token that works at userinfo', async () => {
    w.configure({ automaticSilentRenew: false });
    const page = await w.open();
    await w.login(page);
    const tokens = new Set([await tokenOf(page)]);
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = Date.now();
      const { token, code } = await renewIn(page);
      latencies.push(Date.now() - t0);
      expect(code).toBeNull();
      tokens.add(token);
      const me = await testFetch(`${w.idp.issuer}/me`, { headers: { Authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
    }
    expect(tokens.size).toBe(11);
    // After a success the iframe goes in the task after the token reached the app.
    await expect.poll(() => iframeCount(page)).toBe(0);
    latencies.sort((a, b) => a - b);
    console.info(`[e2e] 10 manual silent renews (incl. Playwright round trip): median ${latencies[5]} ms, max ${latencies[9]} ms`);
  });

  test('concurrent getAccessToken calls near expiry share one renewal', async () => {
    w.configure({ automaticSilentRenew: false });
    const page = await w.open();
    await w.login(page);
    w.idp.reset();
    // 8 s token, 3 s lead: after 5.5 s the token is inside the renewal window.
    await page.waitForTimeout(5500);
    const tokens = await page.evaluate(() => Promise.all([1, 2, 3, 4, 5].map(() => window.auth.getAccessToken())));
    expect(new Set(tokens).size).toBe(1);
    expect(silentRequests(w)).toBe(1);
  });

  test('when the provider session ends: renewError login_required once, no retry storm, then expired', async () => {
    const page = await w.open();
    await w.login(page);
    await w.idp.endAllSessions();
    w.idp.reset();
    await page.waitForFunction(() => window.events.some((e) => e.type === 'expired'), undefined, { timeout: 15_000 });
    // Watch a few more seconds for retries.
    await page.waitForTimeout(3000);
    expect(silentRequests(w)).toBe(1);
    const events = await page.evaluate(() => window.events.map((e) => [e.type, e.code ?? null]));
    expect(events).toEqual([
      ['token', null],
      ['expiring', null],
      ['renewError', 'login_required'],
      ['expired', null],
    ]);
    expect(await page.evaluate(() => window.auth.getAccessToken().catch((e) => e.code))).toBe('login_required');
    expect(silentRequests(w)).toBe(1);
    expect(await iframeCount(page)).toBe(0);
  });

  test('a silent page that never answers ends in timeout and the iframe is removed', async () => {
    w.configure({ automaticSilentRenew: false, silentRedirectUri: `${w.app.origin}/never.html`, silentTimeout: 2000 });
    const page = await w.open();
    await w.login(page);
    expect((await renewIn(page)).code).toBe('timeout');
    expect(await iframeCount(page)).toBe(0);
    // `expiring` may come too on a slow machine (the 8 s token's renewal point): not what this test is about.
    expect((await eventTypes(page)).filter((t) => t !== 'expiring')).toEqual(['token', 'renewError']);
  });

  test('a forged postMessage from another origin carrying a valid-looking callback is ignored', async () => {
    // The silent page never loads, so only a forged message could complete this renew.
    w.configure({ automaticSilentRenew: false, silentRedirectUri: `${w.app.origin}/never.html`, silentTimeout: 4000 });
    const page = await w.open();
    await w.login(page);
    // A frame of another site inside the app page, as an ad or widget would be.
    const otherOrigin = w.app.origin.replace('app.test', 'other.test');
    await page.evaluate((src) => {
      const f = document.createElement('iframe');
      f.src = src;
      f.id = 'other';
      document.body.append(f);
      return new Promise((r) => f.addEventListener('load', r));
    }, `${otherOrigin}/blank.html`);
    w.idp.reset();
    const renewal = renewIn(page);
    await expect.poll(() => silentRequests(w), { timeout: 3_000 }).toBe(1);
    const state = w.idp.requests.find((r) => r.params.prompt === 'none')!.params.state;
    const forged = `${w.app.origin}/never.html?code=forged&state=${state}&iss=${encodeURIComponent(w.idp.issuer)}`;
    const other = page.frames().find((f) => f.url().startsWith(otherOrigin))!;
    await other.evaluate((url) => {
      window.parent.postMessage({ type: 'connect-pkce:silent', url }, '*');
    }, forged);
    // Same origin as the app but not the silent iframe's window: also ignored.
    await page.evaluate((url) => window.postMessage({ type: 'connect-pkce:silent', url }, location.origin), forged);
    expect((await renewal).code).toBe('timeout');
    expect(w.idp.count('token')).toBe(0);
  });
});

test('third-party cookies blocked: the iframe renew ends in login_required, not a timeout', async () => {
  const w = await startWorld({ thirdPartyCookies: false, client: { automaticSilentRenew: false } });
  try {
    const page = await w.open();
    await w.login(page);
    expect((await renewIn(page)).code).toBe('login_required');
    expect(await iframeCount(page)).toBe(0);
  } finally {
    await w.close();
  }
});

test('with refresh tokens issued, renew uses the refresh_token grant and no iframe', async () => {
  const w = await startWorld({ refreshTokens: true, client: { automaticSilentRenew: false } });
  try {
    const page = await w.open();
    await w.login(page);
    await page.evaluate(() => {
      window.events.length = 0;
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes) if (n.nodeName === 'IFRAME') window.events.push({ type: 'iframe', at: 0 });
      }).observe(document.body, { childList: true, subtree: true });
    });
    w.idp.reset();
    const before = await tokenOf(page);
    const { token, code } = await renewIn(page);
    expect(code).toBeNull();
    expect(token).not.toBe(before);
    expect(w.idp.count('token', { grant_type: 'refresh_token' })).toBe(1);
    expect(w.idp.count('authorize')).toBe(0);
    expect(await eventTypes(page)).toEqual(['token']);
  } finally {
    await w.close();
  }
});

test('after a sleep past the renewal point, the renewal happens at the next wake-up check', async () => {
  // 120 s token, renew 30 s before expiry. The page's clock jumps 95 s while no timer runs (a laptop lid closed).
  const w = await startWorld({ accessTokenTtl: 120, client: { renewBeforeExpiry: 30 } });
  try {
    const page = await w.browser.newPage();
    await page.clock.install();
    await w.open('/app.html', page);
    await w.login(page);
    const first = await tokenOf(page);
    w.idp.reset();
    await page.clock.setSystemTime(Date.now() + 95_000);
    // No timer fired: the capped 30 s timer is still pending, so nothing renews yet on its own.
    // As the browser fires it when the tab shows again (it bubbles to window).
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
    await waitForNewToken(page, first, 10_000);
    expect(silentRequests(w)).toBe(1);
    expect(await eventTypes(page)).toEqual(['token', 'expiring', 'token']);
  } finally {
    await w.close();
  }
});

// Issue 23: DPoP (RFC 9449), opt-in through connect-pkce/dpop, in Chromium against oidc-provider's dPoP feature,
// with and without server nonces, and a protected resource that verifies every proof (support/dpop-resource.ts).
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from './support/browser.js';
import { type DPoPResource, startDPoPResource } from './support/dpop-resource.js';
import { testFetch } from './support/http.js';
import { renewIn, tokenOf, waitForNewToken } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

/** The key pairs in the page's IndexedDB: each one's thumbprint (RFC 7638) and whether its private key is extractable. */
const keysIn = (page: Page) =>
  page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('connect-pkce');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    if (!db.objectStoreNames.contains('dpop')) return [];
    const records = await new Promise<{ keys: CryptoKeyPair }[]>((resolve) => {
      const r = db.transaction('dpop').objectStore('dpop').getAll();
      r.onsuccess = () => resolve(r.result);
    });
    db.close();
    const out = [];
    for (const { keys } of records) {
      const { crv, kty, x, y } = (await crypto.subtle.exportKey('jwk', keys.publicKey)) as Record<string, string>;
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })));
      const jkt = btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      out.push({ jkt, extractable: keys.privateKey.extractable });
    }
    return out;
  });

/** The one key of the page's client (there must be exactly one), by thumbprint. */
const keyOf = async (page: Page) => {
  const keys = await keysIn(page);
  expect(keys).toHaveLength(1);
  expect(keys[0]?.extractable).toBe(false);
  return keys[0]?.jkt;
};

/** The key thumbprint the provider bound an access token to (`cnf.jkt`), as a resource server would learn it. */
const boundTo = async (w: World, token: string | null) => (await w.idp.provider.AccessToken.find(token))?.jkt as string | undefined;

/** Calls the resource through the SDK's authorized fetch in the page: its status. */
const fetchIn = (page: Page, r: DPoPResource) =>
  page.evaluate(({ url, origin }) => window.sdk.createAuthorizedFetch(window.auth, { origins: [origin] })(url).then((res) => res.status), {
    url: r.url,
    origin: r.origin,
  });

const tokenRequests = (w: World) => w.idp.requests.filter((r) => r.kind === 'token');

describe('DPoP without server nonces (iframe renewal)', () => {
  let w: World;
  let api: DPoPResource;
  beforeAll(async () => {
    // 10 s tokens renewed 4 s before expiry: one renewal cycle about 6 s after login.
    w = await startWorld({ accessTokenTtl: 10, client: { e2eDpop: {}, renewBeforeExpiry: 4, automaticSilentRenew: false } });
    api = await startDPoPResource(w.idp.provider, w.app.origin);
  });
  afterAll(async () => {
    await api?.close();
    await w?.close();
  });
  afterEach(() => w.reset());

  test('login and a silent renewal each give a token bound to the one non-extractable key in IndexedDB', async () => {
    const page = await w.open();
    await w.login(page);
    const jkt = await keyOf(page);
    const session = await page.evaluate(() => window.auth.getSession());
    expect(session?.tokenType.toLowerCase()).toBe('dpop');
    expect(await boundTo(w, session?.accessToken ?? null)).toBe(jkt);
    // The authorization request named the key (dpop_jkt), and the code exchange carried a proof.
    expect(w.idp.requests.find((r) => r.kind === 'authorize')?.params.dpop_jkt).toBe(jkt);
    expect(tokenRequests(w).map((r) => r.dpop)).toEqual([true]);

    const { token, code } = await renewIn(page);
    expect(code).toBeNull();
    expect(w.idp.requests.filter((r) => r.params.prompt === 'none').map((r) => r.params.dpop_jkt)).toEqual([jkt]);
    expect(await boundTo(w, token)).toBe(jkt);
    expect(await keyOf(page)).toBe(jkt);
  });

  test('the authorized fetch passes; a replayed proof, the token as Bearer, and the token copied to another browser are refused', async () => {
    const page = await w.open();
    await w.login(page);
    expect(await fetchIn(page, api)).toBe(200);
    expect(await fetchIn(page, api)).toBe(200);
    const sent = api.calls.at(-1);
    expect(sent?.authorization).toMatch(/^DPoP /);
    const token = sent?.authorization?.slice(5) ?? '';

    // The same proof again (captured in transit): its jti was used.
    const replay = await testFetch(api.url, { headers: { Authorization: sent?.authorization ?? '', DPoP: sent?.proof ?? '' } });
    expect(replay.status).toBe(401);
    expect(api.calls.at(-1)?.reason).toBe('replayed proof');
    // The token alone, as a Bearer token.
    expect((await testFetch(api.url, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);

    // Another browser (its own profile, so its own keys) with the copied token and a valid proof of its own key.
    const other = await launchBrowser();
    try {
      const thief = await other.newPage();
      await thief.goto(`${w.app.origin}/blank.html`);
      // As a string: the test runner would rewrite a dynamic import() in a function it serializes.
      const status = await thief.evaluate(`(async () => {
        const oauth = await import('/node_modules/oauth4webapi/build/index.js');
        const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
        const res = await oauth
          .protectedResourceRequest(${JSON.stringify(token)}, 'GET', new URL(${JSON.stringify(api.url)}), undefined, undefined, { DPoP: oauth.DPoP({}, keys) })
          .catch((e) => e.response);
        return res?.status;
      })()`);
      expect(status).toBe(401);
      expect(api.calls.at(-1)?.reason).toBe('token bound to another key');
    } finally {
      await other.close();
    }
  });

  test('logout deletes the key; the next login makes a new one', async () => {
    const page = await w.open();
    await w.login(page);
    const first = await keyOf(page);
    await page.evaluate(() => window.auth.logout({ endSession: false }));
    expect(await keysIn(page)).toEqual([]);
    // The provider session was left alone (endSession: false): end it, so that the login shows its form again.
    await w.browser.context.clearCookies();
    await w.login(page);
    const second = await keyOf(page);
    expect(second).not.toBe(first);
    expect(await boundTo(w, await tokenOf(page))).toBe(second);
  });

  test('two tabs share one key and one renewal per cycle, and the renewed token is bound to that key', async () => {
    w.configure({ automaticSilentRenew: true });
    const first = await w.open();
    await w.login(first);
    const original = await tokenOf(first);
    const second = await w.open();
    expect(await tokenOf(second)).toBe(original);
    const jkt = await keyOf(first);
    expect(await keyOf(second)).toBe(jkt);
    w.idp.reset();

    await Promise.all([first, second].map((tab) => waitForNewToken(tab, original)));
    const renewed = await tokenOf(first);
    expect(await tokenOf(second)).toBe(renewed);
    expect(w.idp.count('authorize', { prompt: 'none' })).toBe(1);
    expect(w.idp.count('token')).toBe(1);
    expect(await boundTo(w, renewed)).toBe(jkt);
  });
});

describe('DPoP with server nonces (refresh-token renewal)', () => {
  let w: World;
  let api: DPoPResource;
  beforeAll(async () => {
    w = await startWorld({ dpop: 'nonce', refreshTokens: true, client: { e2eDpop: {}, automaticSilentRenew: false } });
    api = await startDPoPResource(w.idp.provider, w.app.origin, { nonce: true });
  });
  afterAll(async () => {
    await api?.close();
    await w?.close();
  });

  test("login, a refresh-token renewal and the fetch each retry once with the server's nonce, then reuse it", async () => {
    const page = await w.open();
    await w.login(page);
    const jkt = await keyOf(page);
    // The code exchange: refused for want of a nonce, then sent again with it.
    expect(tokenRequests(w).map((r) => r.status)).toEqual([400, 200]);
    expect(await boundTo(w, await tokenOf(page))).toBe(jkt);

    w.idp.reset();
    const { token, code } = await renewIn(page);
    expect(code).toBeNull();
    // The nonce was remembered: one refresh request, no iframe.
    expect(tokenRequests(w).map((r) => [r.params.grant_type, r.status])).toEqual([['refresh_token', 200]]);
    expect(w.idp.count('authorize')).toBe(0);
    expect(await boundTo(w, token)).toBe(jkt);

    expect(await fetchIn(page, api)).toBe(200);
    expect(api.calls.map((c) => c.reason)).toEqual(['use_dpop_nonce', 'ok']);
    expect(await fetchIn(page, api)).toBe(200);
    expect(api.calls.map((c) => c.reason)).toEqual(['use_dpop_nonce', 'ok', 'ok']);
  });
});

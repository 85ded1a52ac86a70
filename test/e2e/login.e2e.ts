// Issue 2: interactive login, callback, session and logout, in real Chromium against a real provider,
// with app (app.test) and provider (idp.test) on different sites as in production.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { testFetch } from './support/http.js';
import { startWorld, type World } from './support/world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w?.close());
afterEach(() => w.reset());

const userinfo = async (token: string) =>
  testFetch(`${w.idp.issuer}/me`, { headers: { Authorization: `Bearer ${token}` } });

describe.each([
  ['ES module build', '/app.html'],
  ['script-tag build', '/app-iife.html'],
])('login with the %s', (_name, path) => {
  test('full login through the provider form stores a session whose token works at userinfo', async () => {
    w.configure({ redirectUri: w.app.origin + path });
    const page = await w.open(path);
    expect(await page.evaluate(() => window.auth.isAuthenticated())).toBe(false);
    await w.login(page);

    expect(await page.evaluate(() => window.callbackError)).toBeUndefined();
    const session = await page.evaluate(() => window.auth.getSession());
    expect(session?.accessToken).toBeTruthy();
    expect(session?.claims?.sub).toBe('alice');
    expect(session?.expiresAt).toBeGreaterThan(Date.now());
    expect(await page.evaluate(() => window.events.map((e) => e.type))).toEqual(['token']);
    // The address bar no longer carries the code (read in the page: page.url() may lag a replaceState).
    expect(await page.evaluate(() => location.search)).toBe('');

    const me = await userinfo(session!.accessToken);
    expect(me.status).toBe(200);
    expect((await me.json()).sub).toBe('alice');
  });
});

test('the tenant reaches the provider as acr_values, with PKCE S256 and the configured scope', async () => {
  const page = await w.open();
  await w.login(page);
  const [auth] = w.idp.requests.filter((r) => r.kind === 'authorize');
  expect(auth!.params).toMatchObject({
    acr_values: 'tenant:t-123',
    code_challenge_method: 'S256',
    scope: 'openid profile ocsapi',
    response_type: 'code',
    redirect_uri: `${w.app.origin}/app.html`,
  });
  expect(auth!.params.code_challenge).toMatch(/^[\w-]{43}$/);
  // The token request carried the verifier, never a secret.
  const [token] = w.idp.requests.filter((r) => r.kind === 'token');
  expect(token!.params.code_verifier).toMatch(/^[\w-]{43,128}$/);
  expect(token!.params.client_secret).toBeUndefined();
});

test('a reload keeps the session with no request to the provider', async () => {
  const page = await w.open();
  await w.login(page);
  const before = await page.evaluate(() => window.auth.getSession());
  w.idp.reset();
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
  expect(await page.evaluate(() => window.auth.getSession())).toEqual(before);
  expect(await page.evaluate(() => window.auth.getAccessToken())).toBe(before?.accessToken);
  expect(w.idp.requests).toEqual([]);
});

test('a replayed callback fails with state_mismatch and leaves the session as it was', async () => {
  const page = await w.open();
  let callbackUrl = '';
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame() && f.url().includes('code=')) callbackUrl = f.url();
  });
  await w.login(page);
  const before = await page.evaluate(() => window.auth.getSession());
  expect(callbackUrl).toContain('state=');

  await page.goto(callbackUrl);
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
  expect(await page.evaluate(() => window.callbackError?.code)).toBe('state_mismatch');
  expect(await page.evaluate(() => window.auth.getSession())).toEqual(before);
  expect(w.idp.count('token')).toBe(1);
});

/** Logs in but stops at the callback: the page keeps its URL (code, state, iss) unhandled. */
async function loginAndHold() {
  const page = await w.open();
  await page.evaluate(() => sessionStorage.setItem('e2e.hold', '1'));
  await w.login(page);
  await page.evaluate(() => sessionStorage.removeItem('e2e.hold'));
  return { page, callback: new URL(page.url()) };
}

const handle = (page: import('playwright-core').Page, url: URL) =>
  page.evaluate(
    (href) =>
      window.auth.handleRedirectCallback(href).then(
        () => ({ code: 'ok', message: '' }),
        (e) => ({ code: e.code as string, message: e.message as string }),
      ),
    url.href,
  );

test('a tampered callback (code swapped) fails with invalid_grant and stores nothing', async () => {
  const { page, callback } = await loginAndHold();
  const code = callback.searchParams.get('code')!;
  callback.searchParams.set('code', 'tampered-code');
  const result = await handle(page, callback);
  expect(result.code).toBe('invalid_grant');
  expect(result.message).not.toContain('tampered-code');
  expect(result.message).not.toContain(code);
  expect(await page.evaluate(() => window.auth.getSession())).toBeNull();
  expect(await page.evaluate(() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage))).not.toContain(
    'accessToken',
  );
});

test('a callback whose iss names another issuer is rejected before any token request', async () => {
  const { page, callback } = await loginAndHold();
  callback.searchParams.set('iss', 'https://evil.test');
  expect((await handle(page, callback)).code).toBe('invalid_response');
  expect(await page.evaluate(() => window.auth.getSession())).toBeNull();
  expect(w.idp.count('token')).toBe(0);
});

test('a callback with a forged state fails with state_mismatch before any token request', async () => {
  const { page, callback } = await loginAndHold();
  callback.searchParams.set('state', 'forged-state');
  expect((await handle(page, callback)).code).toBe('state_mismatch');
  expect(await page.evaluate(() => window.auth.getSession())).toBeNull();
  expect(w.idp.count('token')).toBe(0);
});

test('a new tab with no session restores it in a top-level prompt=none round trip: no login form, back where it was', async () => {
  const a = await w.open();
  await w.login(a);
  await a.close();
  // Alone, and with the session kept per tab (the default), a new tab starts signed out; the provider session lives.
  const b = await w.open('/app.html?view=reports');
  expect(await b.evaluate(() => window.auth.getSession())).toBeNull();
  w.idp.reset();
  const visited: string[] = [];
  b.on('framenavigated', (f) => f === b.mainFrame() && visited.push(new URL(f.url()).pathname));
  await Promise.all([b.waitForURL((u) => u.searchParams.has('code')), b.evaluate(() => window.auth.restore())]);
  await b.waitForSelector('body[data-ready="1"]', { state: 'attached' });
  const restored = await b.evaluate(() => {
    const r = window.callbackResult;
    return r && { sub: r.session.claims?.sub, returnTo: r.returnTo, address: location.href };
  });
  // The app goes back to returnTo: the page the user was on.
  expect(restored).toEqual({ sub: 'alice', returnTo: `${w.app.origin}/app.html?view=reports`, address: `${w.app.origin}/app.html` });
  expect(visited.filter((p) => p.includes('/interaction/'))).toEqual([]);
  expect(w.idp.requests.filter((r) => r.kind === 'authorize').map((r) => r.params.prompt)).toEqual(['none']);
});

test('logout clears the session, ends the provider session and lands on the post-logout page', async () => {
  const page = await w.open();
  await w.login(page);
  await Promise.all([page.waitForURL(`${w.app.origin}/blank.html`), page.evaluate(() => window.auth.logout())]);
  // The provider session is gone: a fresh app page cannot renew silently.
  const again = await w.open('/app.html', page);
  expect(await again.evaluate(() => window.auth.getSession())).toBeNull();
  const code = await again.evaluate(() => window.auth.renew().then(
    () => 'renewed',
    (e) => e.code,
  ));
  expect(code).toBe('login_required');
});

// Issue 11: login and silent renewal against a provider shaped like CONNECT's IdentityServer (mounted at /identity,
// /connect/* routes, session_state, `#_=_` on error redirects, error pages that cannot be framed), in each mode:
// `iss` never (IdentityServer4) / on successes only (Duende) / always, and issuer = authority / another issuer.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { IssMode } from '../../examples/demo/identityserver.js';
import { testFetch } from './support/http.js';
import { renewIn, tokenOf } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

const MODES: { iss: IssMode; otherIssuer: boolean }[] = [
  { iss: 'never', otherIssuer: false },
  { iss: 'success', otherIssuer: false },
  { iss: 'always', otherIssuer: false },
  { iss: 'never', otherIssuer: true },
  { iss: 'success', otherIssuer: true },
  { iss: 'always', otherIssuer: true },
];

describe.each(MODES)('IdentityServer-shaped provider, iss $iss, other issuer: $otherIssuer', (mode) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ identityServer: mode });
  });
  afterAll(() => w?.close());
  afterEach(() => w.reset());

  test('answers like IdentityServer: discovery below /identity, iss per mode, #_=_ on errors, unsafe errors as a page', async () => {
    const doc = await (await testFetch(`${w.idp.authority}/.well-known/openid-configuration`)).json();
    expect(doc).toMatchObject({ issuer: w.idp.issuer, authorization_endpoint: `${w.idp.authority}/connect/authorize` });
    expect(doc.authorization_response_iss_parameter_supported).toBe(mode.iss === 'never' ? undefined : true);
    const authorize = (redirectUri: string) => {
      const url = new URL(doc.authorization_endpoint);
      const params = { client_id: w.idp.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid' };
      for (const [k, v] of Object.entries({ ...params, state: 's1', prompt: 'none', code_challenge_method: 'S256' }))
        url.searchParams.set(k, v);
      url.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
      return testFetch(url);
    };
    const back = await authorize(`${w.app.origin}/silent-renew.html`);
    const to = new URL(back.headers.get('location') ?? '');
    expect(to.searchParams.get('error')).toBe('login_required');
    expect(to.searchParams.has('iss')).toBe(mode.iss === 'always');
    expect(to.hash).toBe('#_=_');
    const refused = await authorize(`${w.app.origin}/not-registered.html`);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
    expect(refused.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  test('logs in and renews silently; after the provider session ends, renewal says login_required', async () => {
    expect(w.idp.authority).toMatch(/^https:\/\/idp\.test:\d+\/identity$/);
    expect(w.idp.issuer).toBe(mode.otherIssuer ? 'https://identity.idp.test' : w.idp.authority);
    const page = await w.open();
    await w.login(page);
    const first = await tokenOf(page);
    const session = await page.evaluate(() => window.auth.getSession());
    expect(session?.claims?.iss).toBe(w.idp.issuer);
    expect(w.idp.requests.map((r) => r.path)).toEqual(['/connect/authorize', '/connect/token']);

    const renewed = await renewIn(page);
    expect(renewed.code).toBeNull();
    expect(renewed.token).not.toBe(first);

    await w.idp.endAllSessions();
    // The error redirect carries no iss except in mode "always", and ends in #_=_; the app still sees the code.
    expect(await renewIn(page)).toEqual({ token: null, code: 'login_required' });
  });
});

describe('IdentityServer-shaped provider (Duende)', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ identityServer: { iss: 'success' } });
  });
  afterAll(() => w?.close());
  afterEach(() => w.reset());

  test('a top-level restore after the provider session ended comes back login_required, leaving neither response parameters nor #_=_ in the address bar', async () => {
    const page = await w.open();
    await w.login(page);
    await w.idp.endAllSessions();
    // restore() goes to the provider with prompt=none; its error redirect ends in #_=_ and the app handles it.
    await Promise.all([page.waitForURL((u) => u.searchParams.has('error')), page.evaluate(() => window.auth.restore())]);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    expect(await page.evaluate(() => window.callbackError?.code)).toBe('login_required');
    expect(await page.evaluate(() => location.href)).toBe(`${w.app.origin}/app.html`);
  });

  test('with the silent redirect URI not registered, the renewal ends in a timeout whose message names the likely cause', async () => {
    const page = await w.open();
    await w.login(page);
    w.configure({ silentRedirectUri: `${w.app.origin}/not-registered.html`, silentTimeout: 3000 });
    const again = await w.open();
    const { code, message } = await again.evaluate(() =>
      window.auth.renew().then(
        () => ({ code: null, message: '' }),
        (e) => ({ code: e.code as string, message: e.message as string }),
      ),
    );
    expect(code).toBe('timeout');
    expect(message).toContain(`${w.app.origin}/not-registered.html`);
    expect(message).toMatch(/silent redirect URI is not registered exactly/);
  });
});

// Harness smoke test: proves certs, app server, provider and Chromium fit together,
// using raw OAuth requests only (no SDK), so SDK failures can't be harness bugs.
import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AppServer, startAppServer } from './support/app-server.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { testFetch } from './support/http.js';
import { fillLogin } from './support/login.js';
import { type ProviderHandle, startProvider } from './support/provider.js';

const b64url = (buf: Buffer) => buf.toString('base64url');

let app: AppServer;
let idp: ProviderHandle;
let browser: TestBrowser;
let redirectUri: string;

beforeAll(async () => {
  // App first: the provider needs the app origin for redirect URIs and CORS.
  [app, browser] = await Promise.all([startAppServer(), launchBrowser()]);
  redirectUri = `${app.origin}/callback.html`;
  idp = await startProvider({ redirectUris: [redirectUri], postLogoutRedirectUris: [`${app.origin}/blank.html`] });
});

afterAll(async () => {
  await Promise.all([browser?.close(), idp?.close(), app?.close()]);
});

/** Authorization request URL built by hand, plus the PKCE verifier needed to redeem it. */
function authorizeUrl(extra: Record<string, string> = {}, op = idp) {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const url = new URL(`${op.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: op.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid profile ocsapi',
    state,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return { url: url.href, verifier, state };
}

/** Interactive sign-in in a top-level page; returns the redirect_uri the browser landed on. */
async function signIn(page: Page, extra: Record<string, string> = {}, op = idp) {
  // prompt=login: show the form even if an earlier test left a provider session behind.
  const req = authorizeUrl({ prompt: 'login', ...extra }, op);
  await page.goto(req.url);
  await fillLogin(page, 'alice');
  return { ...req, landed: new URL(page.url()) };
}

/** Redeem a code from node like a browser SDK would (public client; Origin header exercises CORS). */
function redeem(code: string, verifier: string, op = idp) {
  return testFetch(`${op.issuer}/token`, {
    method: 'POST',
    headers: { origin: app.origin },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: op.clientId,
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
}

/** prompt=none in a hidden iframe of an app page, like a silent renew; resolves with the callback URL. */
async function silentAuthorize(page: Page) {
  const req = authorizeUrl({ prompt: 'none', acr_values: 'tenant:t-123' });
  await page.goto(`${app.origin}/blank.html`);
  const href = await page.evaluate(
    (src) =>
      new Promise<string>((resolve, reject) => {
        setTimeout(() => reject(new Error('no callback from iframe within 10 s')), 10_000);
        addEventListener('message', (e) => {
          if (e.origin === location.origin && e.data?.e2eCallback) resolve(e.data.e2eCallback);
        });
        const frame = document.createElement('iframe');
        frame.hidden = true;
        frame.src = src;
        document.body.append(frame);
      }),
    req.url,
  );
  return { ...req, landed: new URL(href) };
}

describe('e2e harness (no SDK)', () => {
  test('discovery document is served to the browser', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${idp.issuer}/.well-known/openid-configuration`);
    const doc = await res?.json();
    expect(doc.issuer).toBe(idp.issuer);
    expect(doc.authorization_response_iss_parameter_supported).toBe(true);
    expect(doc.end_session_endpoint).toBe(`${idp.issuer}/session/end`);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.scopes_supported).toContain('ocsapi');
    await page.close();
  });

  test('interactive code flow with acr_values, token exchange and userinfo', async () => {
    idp.reset();
    const page = await browser.newPage();
    const { landed, state, verifier } = await signIn(page, { acr_values: 'tenant:t-123' });

    expect(landed.origin + landed.pathname).toBe(redirectUri);
    expect(landed.searchParams.get('state')).toBe(state);
    expect(landed.searchParams.get('iss')).toBe(idp.issuer);
    const code = landed.searchParams.get('code');
    expect(code).toBeTruthy();

    const tokenRes = await redeem(code ?? '', verifier);
    expect(tokenRes.headers.get('access-control-allow-origin')).toBe(app.origin);
    const tokens = await tokenRes.json();
    expect(tokenRes.status, JSON.stringify(tokens)).toBe(200);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile ocsapi' });
    expect(tokens.id_token).toBeTypeOf('string');
    expect(tokens.refresh_token).toBeUndefined();

    const userinfo = await testFetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await userinfo.json()).toEqual({ sub: 'alice', name: 'Alice' });

    expect(idp.count('authorize', { acr_values: 'tenant:t-123', redirect_uri: redirectUri })).toBe(1);
    expect(idp.count('token', { grant_type: 'authorization_code' })).toBe(1);
    await page.close();
  });

  test('prompt=none in a hidden iframe returns a code when third-party cookies are allowed', async () => {
    const page = await browser.newPage();
    await signIn(page);
    idp.reset();
    const { landed, state } = await silentAuthorize(page);
    expect(landed.searchParams.get('error')).toBeNull();
    expect(landed.searchParams.get('code')).toBeTruthy();
    expect(landed.searchParams.get('state')).toBe(state);
    expect(idp.count('authorize', { prompt: 'none' })).toBe(1);
    await page.close();
  });

  test('prompt=none in a hidden iframe gets login_required when third-party cookies are blocked', async () => {
    const strict = await launchBrowser({ thirdPartyCookies: false });
    try {
      const page = await strict.newPage();
      await signIn(page); // the session exists, the iframe just cannot send its cookie
      const { landed } = await silentAuthorize(page);
      expect(landed.searchParams.get('error')).toBe('login_required');
      expect(landed.searchParams.get('iss')).toBe(idp.issuer);
    } finally {
      await strict.close();
    }
  });

  test('end_session auto-confirms and ends the session', async () => {
    const page = await browser.newPage();
    await signIn(page);
    const logout = new URL(`${idp.issuer}/session/end`);
    logout.search = new URLSearchParams({
      client_id: idp.clientId,
      post_logout_redirect_uri: `${app.origin}/blank.html`,
      state: 'bye',
    }).toString();
    await page.goto(logout.href);
    await page.waitForURL((url) => url.origin === app.origin);
    expect(new URL(page.url()).searchParams.get('state')).toBe('bye');
    expect((await silentAuthorize(page)).landed.searchParams.get('error')).toBe('login_required');
    await page.close();
  });

  test('endAllSessions and setDown', async () => {
    const page = await browser.newPage();
    await signIn(page);
    await idp.endAllSessions();
    expect((await silentAuthorize(page)).landed.searchParams.get('error')).toBe('login_required');

    idp.setDown(true);
    try {
      const res = await testFetch(`${idp.issuer}/token`, {
        method: 'POST',
        headers: { origin: app.origin },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: idp.clientId }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('access-control-allow-origin')).toBe(app.origin);
      expect(idp.count('token', { grant_type: 'refresh_token' })).toBe(1);
    } finally {
      idp.setDown(false);
    }
    await page.close();
  });

  test('refreshTokens + short accessTokenTtl options', async () => {
    const op = await startProvider({ redirectUris: [redirectUri], refreshTokens: true, accessTokenTtl: 5 });
    const page = await browser.newPage();
    try {
      const { landed, verifier } = await signIn(page, {}, op);
      const tokens = await (await redeem(landed.searchParams.get('code') ?? '', verifier, op)).json();
      expect(tokens).toMatchObject({ expires_in: 5, refresh_token: expect.any(String) });
      const refreshed = await testFetch(`${op.issuer}/token`, {
        method: 'POST',
        headers: { origin: app.origin },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: op.clientId }),
      });
      const body = await refreshed.json();
      expect(refreshed.status, JSON.stringify(body)).toBe(200);
      // Public clients get a rotated refresh token on every use.
      expect(body.refresh_token).toBeTypeOf('string');
      expect(body.refresh_token).not.toBe(tokens.refresh_token);
      expect(op.count('token', { grant_type: 'refresh_token' })).toBe(1);
    } finally {
      await page.close();
      await op.close();
    }
  });
});

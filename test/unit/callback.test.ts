import { describe, expect, it, vi } from 'vitest';
import { type AuthClientOptions, AuthError } from '../../src/index.js';
import { setAddress } from './support/browser.js';
import {
  type AuthorizeOptions,
  CLIENT_ID,
  hang,
  ISSUER,
  networkFailure,
  notJson,
  oauthError,
  type Reply,
  REDIRECT_URI,
  s256,
  serverError,
} from './support/fake-provider.js';
import { pendingTransactions, SESSION_KEY, TX_KEY, useWorld, type World } from './support/world.js';

const w = useWorld();

/** Every sessionStorage entry except the pending-login one (which a callback consumes by design). */
function storageSnapshot(): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (let i = 0; i < sessionStorage.length; i++) {
    const k = sessionStorage.key(i)!;
    if (k !== TX_KEY) out[k] = sessionStorage.getItem(k);
  }
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i)!;
    out[`local:${k}`] = localStorage.getItem(k);
  }
  return out;
}

/** Everything an error carries that could end up in a log: message, string form, description, provider code, cause. */
function errorText(e: AuthError): string {
  const seen = new WeakSet<object>();
  const replacer = (_k: string, v: unknown) => {
    if (v instanceof URLSearchParams) return v.toString();
    if (v instanceof Error) return { ...v, name: v.name, message: v.message, cause: v.cause };
    if (v && typeof v === 'object') {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  };
  return [e.message, String(e), e.description ?? '', e.providerCode ?? '', JSON.stringify(e.cause, replacer) ?? ''].join('\n');
}

describe('a good callback', () => {
  it('stores the session, emits token, returns returnTo and cleans code/state/iss from the address bar', async () => {
    const client = w.client();
    const events = w.record(client, 'token');
    const url = await w.startLogin(client, { returnTo: '/reports?id=7' });
    const callback = new URL(w.callbackFor(url));
    callback.searchParams.set('tab', 'summary');
    callback.hash = '#top';
    setAddress(callback.href);

    const result = await client.handleRedirectCallback();

    const accessToken = w.provider.issuedAccessTokens.at(-1);
    expect(result.returnTo).toBe('/reports?id=7');
    expect(result.session.accessToken).toBe(accessToken);
    expect(result.session.claims).toMatchObject({ iss: ISSUER, aud: CLIENT_ID, sub: 'user-1', nonce: url.searchParams.get('nonce') });
    expect(await client.getSession()).toEqual(result.session);
    expect(await client.isAuthenticated()).toBe(true);
    expect(JSON.parse(sessionStorage.getItem(SESSION_KEY)!)).toMatchObject({ accessToken, idToken: result.session.idToken });
    expect(events).toEqual([{ name: 'token', value: result.session }]);
    expect(location.href).toBe(`${REDIRECT_URI}?tab=summary#top`);
  });

  it('redeems the code at the token endpoint with the verifier, redirect URI and client id of its login', async () => {
    const client = w.client();
    const url = await w.startLogin(client);
    const tx = pendingTransactions()[url.searchParams.get('state')!];
    const callback = w.callbackFor(url);
    setAddress(callback);
    await client.handleRedirectCallback();

    const [request] = w.provider.tokenRequests;
    expect(request!.method).toBe('POST');
    expect(Object.fromEntries(request!.body!)).toEqual({
      grant_type: 'authorization_code',
      code: new URL(callback).searchParams.get('code'),
      code_verifier: tx!.verifier,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
    });
    expect(await s256(tx!.verifier)).toBe(url.searchParams.get('code_challenge'));
  });

  it('handles a callback URL passed explicitly without touching the address bar', async () => {
    const client = w.client();
    const url = await w.startLogin(client);
    setAddress('http://localhost:3000/somewhere?keep=1');
    const { session } = await client.handleRedirectCallback(w.callbackFor(url));
    expect(session.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
    expect(location.href).toBe('http://localhost:3000/somewhere?keep=1');
  });

  it('consumes the pending login, and keeps other pending logins (another tab, the back button)', async () => {
    const client = w.client();
    const first = await w.startLogin(client);
    const second = await w.startLogin(client);
    setAddress(w.callbackFor(second));
    await client.handleRedirectCallback();
    expect(Object.keys(pendingTransactions())).toEqual([first.searchParams.get('state')]);
  });

  it('counts the expiry from the moment the token response arrived, using expires_in', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    w.provider.expiresIn = 120;
    const client = w.client();
    const { session } = await w.signIn(client);
    expect(session.expiresAt).toBe(Date.parse('2030-01-01T00:02:00Z'));
  });

  it('assumes an hour when the provider omits expires_in', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    w.provider.onToken((req) => w.provider.issue(req, { expiresIn: null }));
    const { session } = await w.signIn(w.client());
    expect(session.expiresAt).toBe(Date.parse('2030-01-01T01:00:00Z'));
  });

  it('does not hand the refresh token to the app, but keeps it for renewals', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client();
    const { session } = await w.signIn(client);
    expect(session).not.toHaveProperty('refreshToken');
    expect(await client.getSession()).not.toHaveProperty('refreshToken');
    expect(JSON.parse(sessionStorage.getItem(SESSION_KEY)!).refreshToken).toMatch(/^refresh-/);
  });

  it('accepts a token response without ID token when the scope does not ask for openid', async () => {
    const client = w.client({ scope: 'api.read' });
    w.provider.onToken((req) => w.provider.issue(req, { idToken: null }));
    const { session } = await w.signIn(client);
    expect(session.idToken).toBeUndefined();
    expect(session.scope).toBe('api.read');
  });

  it('tolerates an ID token expired by less than clockTolerance (60 s by default)', async () => {
    const now = Math.floor(Date.now() / 1000);
    w.provider.onToken((req) => w.provider.issue(req, { claims: { iat: now - 330, exp: now - 30 } }));
    const { session } = await w.signIn(w.client());
    expect(session.claims?.exp).toBe(now - 30);
  });

  it('honours a stricter clockTolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    w.provider.onToken((req) => w.provider.issue(req, { claims: { iat: now - 330, exp: now - 30 } }));
    await expect(w.signIn(w.client({ clockTolerance: 0 }))).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

interface BadCallback {
  name: string;
  code: string;
  description?: string;
  options?: Partial<AuthClientOptions>;
  /** The provider's answer to the authorization request. */
  answer?: AuthorizeOptions;
  /** The token endpoint's answer. */
  token?: (w: World) => Reply;
  /** Replaces the callback URL altogether (e.g. with the first, already used one). */
  url?: (first: string) => string;
}

const now = () => Math.floor(Date.now() / 1000);

const badCallbacks: BadCallback[] = [
  { name: 'has no state', code: 'state_mismatch', answer: { state: null } },
  { name: 'has an unknown state', code: 'state_mismatch', answer: { state: 'forged-state-value' } },
  { name: 'replays a callback that was already used', code: 'state_mismatch', url: (first) => first },
  { name: 'carries another issuer in iss', code: 'invalid_response', answer: { iss: 'https://evil.example' } },
  { name: 'lacks iss although the provider promises it (RFC 9207)', code: 'invalid_response', answer: { iss: null } },
  {
    name: 'is error=access_denied with an error_description',
    code: 'access_denied',
    description: 'The user declined',
    answer: { error: 'access_denied', errorDescription: 'The user declined' },
  },
  { name: 'is error=access_denied without error_description', code: 'access_denied', answer: { error: 'access_denied' } },
  { name: 'is error=login_required', code: 'login_required', answer: { error: 'login_required' } },
  { name: 'is an error code the SDK does not know', code: 'unknown_provider_error', answer: { error: 'mfa_required' } },
  { name: 'has no code', code: 'invalid_response', answer: { code: false } },
  { name: 'meets a token endpoint that answers 400 invalid_grant', code: 'invalid_grant', token: () => oauthError('invalid_grant') },
  { name: 'meets a token endpoint that answers 500', code: 'network', token: () => serverError(500) },
  { name: 'meets a token endpoint that answers 503 temporarily_unavailable', code: 'network', token: () => oauthError('temporarily_unavailable', 503) },
  { name: 'meets a token endpoint that answers non-JSON', code: 'invalid_response', token: () => notJson() },
  { name: 'meets a network failure at the token endpoint', code: 'network', token: () => networkFailure() },
  { name: 'meets a token endpoint that never answers', code: 'timeout', options: { requestTimeout: 30 }, token: () => hang() },
  {
    name: 'gets an ID token with another nonce',
    code: 'invalid_response',
    token: (w) => (req) => w.provider.issue(req, { claims: { nonce: 'nonce-of-another-login' } }),
  },
  {
    name: 'gets an ID token without nonce',
    code: 'invalid_response',
    token: (w) => (req) => w.provider.issue(req, { claims: { nonce: undefined } }),
  },
  {
    name: 'gets an ID token for another audience',
    code: 'invalid_response',
    token: (w) => (req) => w.provider.issue(req, { claims: { aud: 'some-other-client' } }),
  },
  {
    name: 'gets an ID token from another issuer',
    code: 'invalid_response',
    token: (w) => (req) => w.provider.issue(req, { claims: { iss: 'https://evil.example' } }),
  },
  {
    name: 'gets an expired ID token',
    code: 'invalid_response',
    token: (w) => (req) => w.provider.issue(req, { claims: { iat: now() - 7200, exp: now() - 3600 } }),
  },
  {
    name: 'gets no ID token although the scope asks for openid',
    code: 'invalid_response',
    token: (w) => (req) => w.provider.issue(req, { idToken: null }),
  },
];

describe('a bad callback', () => {
  it.each(badCallbacks)('that $name rejects with $code, stores nothing and leaks no secret', async (bad) => {
    // A user who is already signed in: one good login.
    const client = w.client(bad.options);
    const firstUrl = await w.startLogin(client);
    const firstCallback = w.callbackFor(firstUrl);
    setAddress(firstCallback);
    await client.handleRedirectCallback();
    const sessionBefore = await client.getSession();
    const storageBefore = storageSnapshot();
    expect(sessionBefore).not.toBeNull();

    // A second login whose callback goes wrong.
    const url = await w.startLogin(client);
    const state = url.searchParams.get('state')!;
    const { verifier } = pendingTransactions()[state]!;
    if (bad.token) w.provider.onToken(bad.token(w));
    const callback = bad.url ? bad.url(firstCallback) : w.callbackFor(url, bad.answer);
    const code = new URL(callback).searchParams.get('code');
    setAddress(callback);
    const events = w.record(client, 'token', 'logout');

    const error = await client.handleRedirectCallback().then(
      () => expect.fail('the callback was accepted'),
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(AuthError);
    const err = error as AuthError;
    expect(err.code).toBe(bad.code);
    if (bad.answer?.error) {
      expect(err.description).toBe(bad.description);
      expect(err.message).toBe(bad.description ?? bad.answer.error);
      expect(err.providerCode).toBe(bad.answer.error);
    }
    // Nothing stored, nothing announced: the earlier session is exactly as it was.
    expect(await client.getSession()).toEqual(sessionBefore);
    expect(storageSnapshot()).toEqual(storageBefore);
    expect(events).toEqual([]);
    // A callback that named this login's state used it up: it cannot be tried again.
    if (new URL(callback).searchParams.get('state') === state) expect(pendingTransactions()).not.toHaveProperty(state);
    // No secret in anything that might be logged.
    const text = errorText(err);
    expect(text).not.toContain(verifier);
    if (code) expect(text).not.toContain(code);
    for (const token of w.provider.issuedAccessTokens) expect(text).not.toContain(token);
    // A response to one of our logins leaves the address bar even though it failed; any other URL (an app's own
    // `code` and `state` parameters) stays as it was.
    const address = new URL(location.href).searchParams;
    const ours = new URL(callback).searchParams.get('state') === state;
    for (const p of ['code', 'state']) expect(address.has(p)).toBe(!ours && new URL(callback).searchParams.has(p));
  });

  it('fails with state_mismatch when there was never a login in this tab', async () => {
    const client = w.client();
    setAddress(`${REDIRECT_URI}?code=abc&state=xyz&iss=${encodeURIComponent(ISSUER)}`);
    await expect(client.handleRedirectCallback()).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(await client.getSession()).toBeNull();
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
    expect(w.provider.tokenRequests).toHaveLength(0);
  });

  it('does not redeem the code of a replayed callback a second time', async () => {
    const client = w.client();
    const url = await w.startLogin(client);
    const callback = w.callbackFor(url);
    await client.handleRedirectCallback(callback);
    await expect(client.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(w.provider.tokenRequests).toHaveLength(1);
  });

  it('keeps the provider error description apart from the code', async () => {
    const client = w.client();
    const url = await w.startLogin(client);
    const err = await client
      .handleRedirectCallback(w.callbackFor(url, { error: 'consent_required', errorDescription: 'Consent needed' }))
      .catch((e: AuthError) => e);
    expect(err).toMatchObject({ name: 'AuthError', code: 'consent_required', description: 'Consent needed' });
  });

  it('never puts the access token of a rejected token response into the error', async () => {
    // An ID token that fails validation: the access token of that same response must not surface anywhere.
    const client = w.client();
    const url = await w.startLogin(client);
    w.provider.onToken((req) => w.provider.issue(req, { accessToken: 'AT-very-secret', claims: { aud: 'other' } }));
    const err = (await client.handleRedirectCallback(w.callbackFor(url)).catch((e) => e)) as AuthError;
    expect(err.code).toBe('invalid_response');
    expect(errorText(err)).not.toContain('AT-very-secret');
  });
});

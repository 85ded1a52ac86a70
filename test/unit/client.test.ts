import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { AuthError, createAuthClient, type SessionStore } from '../../src/index.js';
import { SILENT_FRAME_NAME } from '../../src/silent-frame.js';
import { setAddress, silentFrame, silentFrameAfterTask, waitForSilentFrame } from './support/browser.js';
import { APP_ORIGIN, CLIENT_ID, ISSUER, jwtClaims, oauthError, REDIRECT_URI, SILENT_REDIRECT_URI, serverError } from './support/fake-provider.js';
import { baseOptions, SESSION_KEY, useWorld } from './support/world.js';

const w = useWorld();

/** Moves the wall clock (only Date is faked: promises, fetch and happy-dom keep running). */
function clockAt(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
}

describe('getAccessToken()', () => {
  it('returns the stored token while it is fresh, without any request', async () => {
    const client = w.client();
    const { session } = await w.signIn(client);
    const requests = w.provider.requests.length;
    expect(await client.getAccessToken()).toBe(session.accessToken);
    expect(w.provider.requests).toHaveLength(requests);
    expect(silentFrame()).toBeNull();
  });

  it('returns the token stored by an earlier page (a reload)', async () => {
    const { session } = await w.signIn(w.client());
    const reloaded = w.client();
    expect(await reloaded.getAccessToken()).toBe(session.accessToken);
    expect(await reloaded.getSession()).toEqual(session);
  });

  it('renews with the refresh token once inside the renewal window, and returns the new token', async () => {
    w.provider.issueRefreshTokens = true;
    w.provider.expiresIn = 600;
    const client = w.client({ automaticSilentRenew: false });
    const events = w.record(client, 'token');
    const { session } = await w.signIn(client);
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY)!);
    clockAt(session.expiresAt - 59_000);

    const token = await client.getAccessToken();

    expect(token).not.toBe(session.accessToken);
    expect(token).toBe(w.provider.issuedAccessTokens.at(-1));
    const refresh = w.provider.tokenRequests.at(-1)!;
    expect(Object.fromEntries(refresh.body!)).toEqual({ grant_type: 'refresh_token', refresh_token: stored.refreshToken, client_id: CLIENT_ID });
    expect(JSON.parse(sessionStorage.getItem(SESSION_KEY)!).accessToken).toBe(token);
    expect(events.at(-1)).toMatchObject({ name: 'token', value: { accessToken: token } });
    // The refresh response had no ID token: the one from the login is kept (for the logout hint).
    expect((await client.getSession())?.idToken).toBe(session.idToken);
  });

  it('still returns the current token when a renewal inside the window fails but the token has not expired', async () => {
    w.provider.issueRefreshTokens = true;
    w.provider.expiresIn = 600;
    const client = w.client({ automaticSilentRenew: false });
    const errors = w.record(client, 'renewError');
    const { session } = await w.signIn(client);
    clockAt(session.expiresAt - 30_000);
    w.provider.onToken(serverError(503));
    expect(await client.getAccessToken()).toBe(session.accessToken);
    expect(errors).toMatchObject([{ name: 'renewError', value: { code: 'network' } }]);
  });

  it('rejects once the token has expired and cannot be renewed', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    clockAt(session.expiresAt + 1);
    w.provider.onToken(serverError(500));
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'network' });
    expect(await client.isAuthenticated()).toBe(false);
  });

  it('tries a silent login when there is no session, and rejects with login_required when the user must sign in', async () => {
    const client = w.client({ automaticSilentRenew: false });
    const errors = w.record(client, 'renewError');
    const pending = client.getAccessToken();
    await w.answerSilentFrame({ error: 'login_required' });
    const err = await pending.catch((e: AuthError) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: 'login_required' });
    expect(errors).toMatchObject([{ value: { code: 'login_required' } }]);
    expect(w.nav).not.toHaveBeenCalled();
  });

  it('after login_required, does not try again silently for the same session', async () => {
    const client = w.client({ automaticSilentRenew: false });
    const first = client.getAccessToken();
    await w.answerSilentFrame({ error: 'login_required' });
    await expect(first).rejects.toMatchObject({ code: 'login_required' });
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(silentFrame()).toBeNull();
  });

  it("with onSilentRenewFailure: 'redirect', starts a login back to this page, at most once a minute", async () => {
    const client = w.client({ automaticSilentRenew: false, onSilentRenewFailure: 'redirect' });
    setAddress('http://localhost:3000/reports?id=7');
    const first = client.getAccessToken();
    await w.answerSilentFrame({ error: 'login_required' });
    await expect(first).rejects.toMatchObject({ code: 'login_required' });
    expect(w.nav).toHaveBeenCalledTimes(1);
    const login = new URL(String(w.nav.mock.calls[0]![0]));
    expect(login.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(login.searchParams.has('prompt')).toBe(false);

    // The callback will take the user back where they were.
    const callback = await client.handleRedirectCallback(w.callbackFor(login));
    expect(callback.returnTo).toBe('http://localhost:3000/reports?id=7');

    // A failing login never loops: the next failure within a minute does not redirect again.
    client.dispose();
    const again = w.client({ automaticSilentRenew: false, onSilentRenewFailure: 'redirect', storage: 'memory' });
    const second = again.getAccessToken();
    await w.answerSilentFrame({ error: 'login_required' });
    await expect(second).rejects.toMatchObject({ code: 'login_required' });
    expect(w.nav).toHaveBeenCalledTimes(1);

    // A minute later it may try once more.
    clockAt(Date.now() + 60_000);
    await expect(again.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(w.nav).toHaveBeenCalledTimes(2);
  });

  it("with onSilentRenewFailure: 'redirect', does not redirect for a transient failure", async () => {
    const client = w.client({ automaticSilentRenew: false, onSilentRenewFailure: 'redirect', silentTimeout: 20 });
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'timeout' });
    expect(w.nav).not.toHaveBeenCalled();
  });
});

describe('renew()', () => {
  it('shares one renewal among concurrent calls', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    const before = w.provider.tokenRequests.length;
    const [a, b, c] = await Promise.all([client.renew(), client.renew(), client.renew()]);
    expect(w.provider.tokenRequests).toHaveLength(before + 1);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
  });

  it('lets concurrent getAccessToken() calls inside the renewal window share one renewal', async () => {
    w.provider.issueRefreshTokens = true;
    w.provider.expiresIn = 600;
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    clockAt(session.expiresAt - 30_000);
    const before = w.provider.tokenRequests.length;
    const tokens = await Promise.all([client.getAccessToken(), client.getAccessToken(), client.renew()]);
    expect(w.provider.tokenRequests).toHaveLength(before + 1);
    expect(tokens[0]).toBe(w.provider.issuedAccessTokens.at(-1));
    expect(tokens[1]).toBe(tokens[0]);
    expect(tokens[2].accessToken).toBe(tokens[0]);
  });

  it('renews again on a later call, with the rotated refresh token', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    const s1 = await client.renew();
    const s2 = await client.renew();
    expect(s2.accessToken).not.toBe(s1.accessToken);
    const [, r1, r2] = w.provider.tokenRequests;
    expect(r1!.body?.get('refresh_token')).not.toBe(r2!.body?.get('refresh_token'));
  });

  it('renews in the hidden iframe with prompt=none at the silent redirect URI, tenant included', async () => {
    const client = w.client({ automaticSilentRenew: false, tenantId: 't-9', scope: 'openid ocsapi' });
    const events = w.record(client, 'token');
    const { session } = await w.signIn(client);
    const pending = client.renew();
    const url = await w.answerSilentFrame();
    const renewed = await pending;

    const p = url.searchParams;
    expect(p.get('prompt')).toBe('none');
    expect(p.get('redirect_uri')).toBe(SILENT_REDIRECT_URI);
    expect(p.get('acr_values')).toBe('tenant:t-9');
    expect(p.get('scope')).toBe('openid ocsapi');
    expect(p.get('client_id')).toBe(CLIENT_ID);
    expect(w.provider.tokenRequests.at(-1)?.body?.get('redirect_uri')).toBe(SILENT_REDIRECT_URI);
    expect(renewed.accessToken).not.toBe(session.accessToken);
    expect(jwtClaims(renewed.idToken!).nonce).toBe(p.get('nonce'));
    expect(await client.getSession()).toEqual(renewed);
    expect(events.at(-1)).toEqual({ name: 'token', value: renewed });
    expect(await silentFrameAfterTask()).toBeNull();
  });

  it('falls back to the iframe when the refresh token is rejected', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    w.provider.onToken(oauthError('invalid_grant'));
    const pending = client.renew();
    await w.answerSilentFrame();
    const renewed = await pending;
    expect(renewed.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
  });

  it('does not fall back to the iframe when the provider is down', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    w.provider.onToken(serverError(500));
    await expect(client.renew()).rejects.toMatchObject({ code: 'network' });
    expect(silentFrame()).toBeNull();
    expect(await client.getSession()).toEqual(session);
  });

  it('keeps the session when the silent answer fails validation', async () => {
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    w.provider.onToken((req) => w.provider.issue(req, { claims: { nonce: 'replayed' } }));
    const pending = client.renew();
    await w.answerSilentFrame();
    await expect(pending).rejects.toMatchObject({ code: 'invalid_response' });
    expect(await client.getSession()).toEqual(session);
  });

  it('rejects a refreshed ID token for another user (OpenID Connect Core §12.2)', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    w.provider.onToken((req) => w.provider.issue(req, { claims: { sub: 'someone-else' } }));
    await expect(client.renew()).rejects.toBeInstanceOf(AuthError);
    expect(await client.getSession()).toEqual(session);
  });

  // OpenID Connect Core §3.1.2.1 recommends id_token_hint with prompt=none; the SDK deliberately keeps every token
  // out of the URLs it creates (browser history, provider logs) and checks the user itself (next tests).
  it('keeps the ID token out of its prompt=none request URL', async () => {
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    const pending = client.renew();
    const url = await w.answerSilentFrame();
    await pending;
    expect(url.searchParams.get('prompt')).toBe('none');
    expect(url.href).not.toContain(session.idToken!);
    expect(url.href).not.toContain(session.accessToken);
  });

  it('does not silently switch the session to another user on a silent renewal', async () => {
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    w.provider.sub = 'someone-else';
    const pending = client.renew().catch((e: unknown) => e);
    await w.answerSilentFrame();
    await pending;
    expect((await client.getSession())?.claims?.sub).toBe('user-1');
  });

  it('rejects with timeout when the silent page never answers', async () => {
    const client = w.client({ automaticSilentRenew: false, silentTimeout: 20 });
    await expect(client.renew()).rejects.toMatchObject({ code: 'timeout' });
    expect(silentFrame()).toBeNull();
  });
});

describe('automatic renewal', () => {
  it('renews in the background before expiry and announces it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(0);
    w.provider.issueRefreshTokens = true;
    w.provider.expiresIn = 300;
    const client = w.client();
    const events = w.record(client, 'expiring', 'token');
    const { session } = await w.signIn(client);
    events.length = 0;

    await vi.advanceTimersByTimeAsync(240_000 - 1);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(events.map((e) => e.name)).toEqual(['expiring', 'token']));
    expect(events[0]!.value).toEqual(session);
    expect(w.provider.tokenRequests.at(-1)?.body?.get('grant_type')).toBe('refresh_token');
    expect(await client.getAccessToken()).toBe(w.provider.issuedAccessTokens.at(-1));
  });

  it('with automaticSilentRenew off, only announces expiring and expired', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(0);
    w.provider.issueRefreshTokens = true;
    w.provider.expiresIn = 300;
    const client = w.client({ automaticSilentRenew: false });
    const events = w.record(client, 'expiring', 'expired', 'token');
    await w.signIn(client);
    events.length = 0;
    const requests = w.provider.requests.length;
    await vi.advanceTimersByTimeAsync(300_000);
    expect(events.map((e) => e.name)).toEqual(['expiring', 'expired']);
    expect(w.provider.requests).toHaveLength(requests);
    expect(await client.isAuthenticated()).toBe(false);
  });
});

describe('sessions and storage', () => {
  it('starts signed out', async () => {
    const client = w.client();
    expect(await client.getSession()).toBeNull();
    expect(await client.isAuthenticated()).toBe(false);
  });

  it('reads a corrupt stored session as none', async () => {
    sessionStorage.setItem(SESSION_KEY, '{"accessToken": tru');
    expect(await w.client().getSession()).toBeNull();
  });

  it("keeps the session in localStorage with storage: 'local'", async () => {
    const { session } = await w.signIn(w.client({ storage: 'local' }));
    expect(JSON.parse(localStorage.getItem(SESSION_KEY)!).accessToken).toBe(session.accessToken);
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('works with an asynchronous custom store', async () => {
    const data = new Map<string, string>();
    const store: SessionStore = {
      get: async (k) => data.get(k) ?? null,
      set: async (k, v) => void data.set(k, v),
      remove: async (k) => void data.delete(k),
    };
    const { session } = await w.signIn(w.client({ storage: store }));
    expect(JSON.parse(data.get(SESSION_KEY)!).accessToken).toBe(session.accessToken);
    expect(await w.client({ storage: store }).getSession()).toEqual(session);
  });

  it.each(['session', 'local'] as const)(
    "removes a session 0.1 left in %sStorage under the bare app key (never read now), and keeps this version's",
    async (storage) => {
      const { session } = await w.signIn(w.client({ storage }));
      const store = storage === 'local' ? localStorage : sessionStorage;
      const legacy = `cpk:${CLIENT_ID}@${ISSUER}/`;
      store.setItem(legacy, JSON.stringify({ accessToken: 'a-0.1-token', refreshToken: 'a-0.1-refresh-token', expiresAt: 1 }));
      const reloaded = w.client({ storage });
      expect(await reloaded.getSession()).toEqual(session);
      expect(store.getItem(legacy)).toBeNull();
      expect(store.getItem(SESSION_KEY)).not.toBeNull();
    },
  );

  it('keeps working in memory when a custom store fails', async () => {
    const store: SessionStore = {
      get: () => Promise.reject(new Error('IndexedDB is gone')),
      set: () => Promise.reject(new Error('IndexedDB is gone')),
      remove: () => Promise.reject(new Error('IndexedDB is gone')),
    };
    const client = w.client({ storage: store });
    const { session } = await w.signIn(client);
    expect(await client.getSession()).toEqual(session);
    await client.logout();
    expect(await client.getSession()).toBeNull();
  });
});

describe('isCallback()', () => {
  it('recognises an authorization response: state plus code or error', () => {
    const client = w.client();
    expect(client.isCallback(`${REDIRECT_URI}?code=c&state=s`)).toBe(true);
    expect(client.isCallback(`${REDIRECT_URI}?error=access_denied&state=s`)).toBe(true);
    expect(client.isCallback(`${REDIRECT_URI}?code=c`)).toBe(false);
    expect(client.isCallback(`${REDIRECT_URI}?state=s`)).toBe(false);
    expect(client.isCallback(`${REDIRECT_URI}#code=c&state=s`)).toBe(false);
  });

  it('reads the current address by default', () => {
    const client = w.client();
    expect(client.isCallback()).toBe(false);
    setAddress(`${REDIRECT_URI}?code=c&state=s&iss=${encodeURIComponent(ISSUER)}`);
    expect(client.isCallback()).toBe(true);
  });

  it("is false inside the SDK's own silent iframe, whose answer belongs to the parent", () => {
    window.name = SILENT_FRAME_NAME;
    const client = w.client();
    expect(client.isCallback(`${REDIRECT_URI}?code=c&state=s`)).toBe(false);
  });

  it("is false on another page of the app, whose own code and state parameters are not a login's", () => {
    const client = w.client();
    expect(client.isCallback(`${APP_ORIGIN}/search?code=c&state=CA`)).toBe(false);
    expect(client.isCallback(`${REDIRECT_URI}/deeper?code=c&state=s`)).toBe(false);
  });

  it('accepts the redirect path with or without a trailing slash (a router rewrote it), and the code exchange names the registered URI', async () => {
    const withSlash = `${REDIRECT_URI}/`;
    const client = w.client({ redirectUri: withSlash });
    expect(client.isCallback(`${REDIRECT_URI}?code=c&state=s`)).toBe(true);
    expect(w.client().isCallback(`${withSlash}?code=c&state=s`)).toBe(true);
    const url = await w.startLogin(client);
    // Angular's router drops the slash before the app handles the callback.
    setAddress(w.callbackFor(url).replace(`${withSlash}?`, `${REDIRECT_URI}?`));
    expect(client.isCallback()).toBe(true);
    await client.handleRedirectCallback();
    expect(w.provider.tokenRequests.at(-1)?.body?.get('redirect_uri')).toBe(withSlash);
    expect(await client.getSession()).not.toBeNull();
  });

  it('leaves the address bar alone for a callback that matches none of its logins', async () => {
    const client = w.client();
    setAddress(`${REDIRECT_URI}?code=app-code&state=CA`);
    await expect(client.handleRedirectCallback()).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(location.href).toBe(`${REDIRECT_URI}?code=app-code&state=CA`);
  });
});

describe('inside its own silent iframe (an app whose silent URI is one of its routes)', () => {
  it('neither renews nor joins the other tabs', async () => {
    window.name = SILENT_FRAME_NAME;
    const seen: unknown[] = [];
    const tab = new BroadcastChannel(SESSION_KEY);
    tab.onmessage = (e) => seen.push(e.data);
    const client = createAuthClient(baseOptions({ shareAcrossTabs: true }));
    await client.getSession();
    await new Promise((r) => setTimeout(r, 200));
    tab.close();
    client.dispose();
    expect(seen).toEqual([]);
    expect(silentFrame()).toBeNull();
  });
});

describe('getAccessToken() while renewals fail', () => {
  it('during an outage, makes one request per backoff step however often the app calls', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    w.provider.issueRefreshTokens = true;
    w.provider.expiresIn = 600;
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    vi.setSystemTime(session.expiresAt + 1_000);
    for (let i = 0; i < 20; i++) w.provider.onToken(serverError(503));
    const before = w.provider.tokenRequests.length;
    for (let i = 0; i < 10; i++) await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'network' });
    expect(w.provider.tokenRequests).toHaveLength(before + 1);
    // After the first backoff (at most a second), one more attempt, and again only one.
    await vi.advanceTimersByTimeAsync(1_000);
    for (let i = 0; i < 10; i++) await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'network' });
    expect(w.provider.tokenRequests).toHaveLength(before + 2);
  });

  it('after login_required, does not open the iframe again on every call; renew() still tries', async () => {
    const client = w.client({ automaticSilentRenew: false });
    const pending = client.getAccessToken();
    await w.answerSilentFrame({ error: 'login_required' });
    await expect(pending).rejects.toMatchObject({ code: 'login_required' });
    await silentFrameAfterTask();
    for (let i = 0; i < 5; i++) await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(silentFrame()).toBeNull();
    const explicit = client.renew();
    await waitForSilentFrame();
    client.dispose();
    await expect(explicit).rejects.toMatchObject({ code: 'disposed' });
  });
});

describe('dispose()', () => {
  it('aborts a silent renewal in flight with disposed, and removes its iframe', async () => {
    const client = w.client({ automaticSilentRenew: false });
    const pending = client.renew();
    await waitForSilentFrame();
    client.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'disposed' });
    expect(silentFrame()).toBeNull();
  });

  it.each([
    ['', false],
    [' in a browser without AbortSignal.any too (Safari before 17.4)', true],
  ])('aborts a code exchange in flight%s: disposed, and nothing stored', async (_, withoutAny) => {
    const any = Object.getOwnPropertyDescriptor(AbortSignal, 'any');
    if (withoutAny) Object.defineProperty(AbortSignal, 'any', { value: undefined, configurable: true });
    onTestFinished(() => {
      if (any) Object.defineProperty(AbortSignal, 'any', any);
    });
    const client = w.client({ automaticSilentRenew: false });
    const url = await w.startLogin(client);
    setAddress(w.callbackFor(url));
    let aborted = false;
    w.provider.onToken(
      (req) =>
        new Promise<Response>((_, reject) =>
          req.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(req.signal?.reason);
          }),
        ),
    );
    const pending = client.handleRedirectCallback();
    await vi.waitFor(() => expect(w.provider.tokenRequests).toHaveLength(1));
    client.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'disposed' });
    expect(aborted).toBe(true);
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('a client disposed and replaced on the callback page (StrictMode, HMR) leaves the login to its replacement: one code exchange, signed in', async () => {
    const first = w.client({ automaticSilentRenew: false });
    const url = await w.startLogin(first);
    setAddress(w.callbackFor(url));
    // Mount, unmount, mount again, in one task: as React StrictMode runs an effect twice.
    const disposed = first.handleRedirectCallback().catch((e: AuthError) => e.code);
    first.dispose();
    const second = w.client({ automaticSilentRenew: false });
    const { session } = await second.handleRedirectCallback();
    expect(await disposed).toBe('disposed');
    expect(w.provider.tokenRequests).toHaveLength(1);
    expect(await second.getSession()).toEqual(session);
  });

  it('makes later renewals fail with disposed, without any request', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    const requests = w.provider.requests.length;
    client.dispose();
    await expect(client.renew()).rejects.toMatchObject({ code: 'disposed' });
    expect(w.provider.requests).toHaveLength(requests);
    expect(silentFrame()).toBeNull();
  });

  it('stops events and the background renewal', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    w.provider.issueRefreshTokens = true;
    w.provider.expiresIn = 300;
    const client = w.client();
    const events = w.record(client, 'expiring', 'expired', 'token', 'renewError');
    await w.signIn(client);
    events.length = 0;
    const requests = w.provider.requests.length;
    client.dispose();
    await vi.advanceTimersByTimeAsync(600_000);
    window.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual([]);
    expect(w.provider.requests).toHaveLength(requests);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('can be disposed twice', async () => {
    const client = createAuthClient(baseOptions({ shareAcrossTabs: true }));
    await client.getSession();
    client.dispose();
    expect(() => client.dispose()).not.toThrow();
  });

  it('can be disposed right after creation without breaking its methods', async () => {
    const client = createAuthClient(baseOptions({ shareAcrossTabs: true }));
    client.dispose();
    await expect(client.getSession()).resolves.toBeNull();
  });
});

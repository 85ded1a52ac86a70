/**
 * The provider failing at its token endpoint and its discovery document: server errors, no answer (a small
 * `requestTimeout`: the request's AbortSignal fires and the call ends in `timeout`), a 200 that is not JSON (a
 * proxy's page), a CORS failure (fetch rejects with a bare TypeError). Each must end in the documented code
 * (`network`, `timeout`, `invalid_response`) with nothing stored. Then automatic renewal through an outage of
 * several minutes, on fake timers: bounded retries with growing, jittered gaps, no retry of `login_required` or
 * `invalid_grant`, and recovery on its own once the provider is back. The provider issues refresh tokens there,
 * so renewals go through fetch, not the iframe.
 */
import { describe, expect, it, vi } from 'vitest';
import { type AuthClient, type AuthClientOptions, AuthError, type SessionStore } from '../../src/index.js';
import { postFrom, setAddress, silentFrame, waitForSilentFrame } from './support/browser.js';
import { APP_ORIGIN, hang, networkFailure, notJson, oauthError, type Reply, serverError } from './support/fake-provider.js';
import { faultWhile, silentPageMessage, storageSnapshot } from './support/faults.js';
import { DISCOVERY_KEY, SESSION_KEY, TX_KEY, useWorld } from './support/world.js';

const w = useWorld();
const MIN = 60_000;

interface Fault {
  name: string;
  reply: Reply;
  code: 'network' | 'timeout' | 'invalid_response';
  options?: Partial<AuthClientOptions>;
}

const faults: Fault[] = [
  { name: 'a 500 with an HTML page', reply: serverError(500), code: 'network' },
  { name: 'a 502 from a gateway', reply: serverError(502), code: 'network' },
  { name: 'a 503 temporarily_unavailable', reply: oauthError('temporarily_unavailable', 503), code: 'network' },
  { name: 'no answer (requestTimeout: 50 ms)', reply: hang(), code: 'timeout', options: { requestTimeout: 50 } },
  { name: 'a 200 that is not JSON', reply: notJson(), code: 'invalid_response' },
  { name: 'a CORS failure (fetch rejects with TypeError)', reply: networkFailure(), code: 'network' },
];

/** The fault's reply, remembering the AbortSignal of every request it answered. */
function tracked(f: Fault) {
  const signals: (AbortSignal | undefined)[] = [];
  const reply: Reply = (req) => {
    signals.push(req.signal);
    return f.reply(req);
  };
  return { reply, signals };
}

/** Checks the error and, for a hang, that the request was aborted rather than left running. */
function expectFault(error: unknown, f: Fault, signals: (AbortSignal | undefined)[]) {
  expect(error).toBeInstanceOf(AuthError);
  expect(error).toMatchObject({ code: f.code });
  expect(signals).toHaveLength(1);
  if (f.code === 'timeout') expect(signals[0]?.aborted).toBe(true);
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('it succeeded'),
    (e: unknown) => e,
  );

describe('a failing discovery document', () => {
  it.each(faults)('at login(): $name → $code; no navigation, nothing stored, and the next login works', async (f) => {
    const client = w.client(f.options);
    const before = storageSnapshot();
    const { reply, signals } = tracked(f);
    w.provider.onDiscovery(reply);
    expectFault(await failure(client.login()), f, signals);
    expect(w.nav).not.toHaveBeenCalled();
    expect(storageSnapshot()).toEqual(before);
    // Nothing cached: the next call asks again, and works.
    await w.startLogin(client);
    expect(w.provider.discoveryRequests).toHaveLength(2);
  });

  it.each(faults)('at the callback, in a tab without cached metadata: $name → $code; nothing stored', async (f) => {
    const url = await w.startLogin(w.client());
    sessionStorage.removeItem(DISCOVERY_KEY);
    const client = w.client(f.options);
    const before = storageSnapshot([TX_KEY]);
    const { reply, signals } = tracked(f);
    w.provider.onDiscovery(reply);
    expectFault(await failure(client.handleRedirectCallback(w.callbackFor(url))), f, signals);
    expect(w.provider.tokenRequests).toHaveLength(0);
    expect(await client.getSession()).toBeNull();
    expect(storageSnapshot([TX_KEY])).toEqual(before);
  });

  it.each(faults)('at a silent renewal, in a tab without cached metadata: $name → $code; the session is kept', async (f) => {
    const { session } = await w.signIn(w.client());
    sessionStorage.removeItem(DISCOVERY_KEY);
    const client = w.client({ ...f.options, automaticSilentRenew: false });
    const errors = w.record(client, 'renewError', 'token');
    const before = storageSnapshot();
    const { reply, signals } = tracked(f);
    w.provider.onDiscovery(reply);
    expectFault(await failure(client.renew()), f, signals);
    expect(silentFrame()).toBeNull();
    expect(await client.getSession()).toEqual(session);
    expect(storageSnapshot()).toEqual(before);
    expect(errors).toMatchObject([{ name: 'renewError', value: { code: f.code } }]);
  });
});

describe('a failing token endpoint', () => {
  it.each(faults)('at the callback: $name → $code; the earlier session and storage are untouched', async (f) => {
    const client = w.client(f.options);
    const { session } = await w.signIn(client);
    const url = await w.startLogin(client);
    const before = storageSnapshot([TX_KEY]);
    const events = w.record(client, 'token');
    const { reply, signals } = tracked(f);
    w.provider.onToken(reply);
    setAddress(w.callbackFor(url));
    expectFault(await failure(client.handleRedirectCallback()), f, signals);
    expect(await client.getSession()).toEqual(session);
    expect(storageSnapshot([TX_KEY])).toEqual(before);
    expect(events).toEqual([]);
  });

  it.each(faults.filter((f) => f.code !== 'invalid_response'))(
    'at a refresh: $name → $code; the session is kept and the iframe is not tried (the provider is down)',
    async (f) => {
      w.provider.issueRefreshTokens = true;
      const client = w.client({ ...f.options, automaticSilentRenew: false });
      const { session } = await w.signIn(client);
      const before = storageSnapshot();
      const events = w.record(client, 'token', 'renewError');
      const { reply, signals } = tracked(f);
      w.provider.onToken(reply);
      expectFault(await failure(client.renew()), f, signals);
      expect(silentFrame()).toBeNull();
      expect(await client.getSession()).toEqual(session);
      expect(await client.getAccessToken()).toBe(session.accessToken);
      expect(storageSnapshot()).toEqual(before);
      expect(events).toMatchObject([{ name: 'renewError', value: { code: f.code } }]);
    },
  );

  it('at a refresh, a 200 that is not JSON is not trusted: the renewal moves to the iframe, and its answer counts', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    w.provider.onToken(notJson());
    const renewing = client.renew();
    await w.answerSilentFrame({ error: 'login_required' });
    await expect(renewing).rejects.toMatchObject({ code: 'login_required' });
    expect(await client.getSession()).toEqual(session);
    expect(JSON.parse(sessionStorage.getItem(SESSION_KEY)!).accessToken).toBe(session.accessToken);
  });
});

// ---- Automatic renewal on fake timers ---------------------------------------------------------------------------

/** A session store in plain sight: lets a test read each client's refresh token. */
function visibleStore() {
  const m = new Map<string, string>();
  const store: SessionStore = { get: (k) => m.get(k), set: (k, v) => void m.set(k, v), remove: (k) => void m.delete(k) };
  return { store, refreshToken: () => JSON.parse(m.get(SESSION_KEY) ?? '{}').refreshToken as string | undefined };
}

/**
 * A signed-in client on fake timers whose tokens live an hour and renew 20 minutes before expiry (so the backoff
 * is not shortened by a token about to expire), with refresh tokens.
 */
async function signedIn(o: Partial<AuthClientOptions> = {}): Promise<AuthClient> {
  w.provider.issueRefreshTokens = true;
  w.provider.expiresIn = 3600;
  const client = w.client({ renewBeforeExpiry: 20 * 60, ...o });
  await w.signIn(client);
  return client;
}

/** Gaps between consecutive times. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

/** The real setTimeout, taken before any test installs fake timers. */
const realSetTimeout = globalThis.setTimeout;

/**
 * Advances fake time in steps until `done()`, giving real async work (WebCrypto's digest for the PKCE challenge
 * completes on the event loop, not as a promise job) a real macrotask turn after each step.
 */
async function advanceUntil(done: () => boolean, stepMs: number, maxMs: number) {
  for (let t = 0; t < maxMs && !done(); t += stepMs) {
    await vi.advanceTimersByTimeAsync(stepMs);
    await new Promise((r) => realSetTimeout(r, 1));
  }
  if (!done()) throw new Error('the condition never held');
}

describe('automatic renewal through a provider outage', () => {
  const OUTAGE = 5 * MIN;

  it('retries at most 16 times in a 5-minute outage, with growing gaps, then resumes on its own', async () => {
    vi.useFakeTimers();
    const client = await signedIn();
    const events = w.record(client, 'token', 'renewError');
    const frames = vi.spyOn(document, 'createElement');
    const times: number[] = [];
    let outageEnd = Number.POSITIVE_INFINITY;
    let n = 0;
    faultWhile(
      w.provider,
      'token',
      () => {
        times.push(Date.now());
        if (outageEnd === Number.POSITIVE_INFINITY) outageEnd = Date.now() + OUTAGE;
        return Date.now() < outageEnd;
      },
      (req) => (n++ % 2 ? networkFailure() : serverError(503))(req),
    );

    // The renewal is due 20 minutes (less up to 10 % jitter) before expiry: 38–40 minutes in. Then 5 minutes
    // of outage, then a minute more.
    await vi.advanceTimersByTimeAsync(40 * MIN + OUTAGE + MIN);

    const during = times.filter((t) => t < outageEnd);
    const after = times.filter((t) => t >= outageEnd);
    // Bounded: ~15 at most by design (1 s doubling to a 60 s cap, with half of it random).
    expect(during.length).toBeGreaterThanOrEqual(6);
    expect(during.length).toBeLessThanOrEqual(16);
    const g = gaps([...during, after[0]!]);
    expect(g[0]).toBeLessThanOrEqual(1_000);
    for (const gap of g) {
      expect(gap).toBeGreaterThanOrEqual(500);
      expect(gap).toBeLessThanOrEqual(60_000);
    }
    // Growing until they reach half a minute, and never shorter than that afterwards.
    for (let i = 1; i < g.length; i++) if (g[i - 1]! < 30_000) expect(g[i]).toBeGreaterThanOrEqual(g[i - 1]!);
    const longStart = g.findIndex((x) => x >= 30_000);
    expect(longStart).toBeGreaterThan(0);
    for (const gap of g.slice(longStart)) expect(gap).toBeGreaterThanOrEqual(30_000);

    // Every failure was reported as transient; the iframe was never tried while the provider was down.
    const failures = events.filter((e) => e.name === 'renewError');
    expect(failures).toHaveLength(during.length);
    for (const e of failures) expect(e.value).toMatchObject({ code: 'network' });
    expect(frames.mock.calls.filter(([tag]) => tag.toLowerCase() === 'iframe')).toHaveLength(0);

    // Back: the first retry after the outage (within a minute of its end) renewed, by itself.
    expect(after).toHaveLength(1);
    expect(after[0]! - outageEnd).toBeLessThanOrEqual(60_000);
    const renewed = events.filter((e) => e.name === 'token');
    expect(renewed).toHaveLength(1);
    const token = w.provider.issuedAccessTokens.at(-1);
    expect(renewed[0]!.value).toMatchObject({ accessToken: token });
    const requests = w.provider.requests.length;
    expect(await client.getAccessToken()).toBe(token);
    expect(w.provider.requests).toHaveLength(requests);
    // And no more retries: the next renewal is due in the new token's own cycle.
    await vi.advanceTimersByTimeAsync(30 * MIN);
    expect(times).toHaveLength(during.length + 1);
  });

  it('spreads the retries of clients that signed in at the same moment (jitter: no lockstep)', async () => {
    vi.useFakeTimers();
    const a = visibleStore();
    const b = visibleStore();
    const first = await signedIn({ storage: a.store });
    const second = await signedIn({ storage: b.store });
    expect(first).not.toBe(second);
    const byClient = new Map<string, number[]>();
    faultWhile(
      w.provider,
      'token',
      (req) => {
        const rt = req.body?.get('refresh_token') ?? '';
        byClient.set(rt, [...(byClient.get(rt) ?? []), Date.now()]);
        return true;
      },
      serverError(503),
    );
    await vi.advanceTimersByTimeAsync(40 * MIN + OUTAGE);
    const ta = byClient.get(a.refreshToken()!) ?? [];
    const tb = byClient.get(b.refreshToken()!) ?? [];
    expect(ta.length).toBeGreaterThanOrEqual(6);
    expect(tb.length).toBeGreaterThanOrEqual(6);
    // Same schedule, different times: neither the first attempt nor the gaps coincide.
    expect(ta[0]).not.toBe(tb[0]);
    expect(gaps(ta)).not.toEqual(gaps(tb));
  });

  it('does not retry invalid_grant and login_required: one refresh, one silent attempt, then nothing', async () => {
    vi.useFakeTimers();
    const client = await signedIn({ silentTimeout: 10 * MIN });
    const events = w.record(client, 'token', 'renewError', 'expired');
    let refreshes = 0;
    faultWhile(
      w.provider,
      'token',
      (req) => req.body?.get('grant_type') === 'refresh_token' && ++refreshes > 0,
      oauthError('invalid_grant'),
    );
    const frames = vi.spyOn(document, 'createElement');
    // The rejected refresh token is not retried; the SDK tries the iframe instead, once.
    await advanceUntil(() => silentFrame() !== null, 1_000, 45 * MIN);
    await w.answerSilentFrame({ error: 'login_required' });
    await vi.advanceTimersByTimeAsync(2 * 60 * MIN);
    expect(refreshes).toBe(1);
    expect(frames.mock.calls.filter(([tag]) => tag.toLowerCase() === 'iframe')).toHaveLength(1);
    expect(events.map((e) => e.name)).toEqual(['renewError', 'expired']);
    expect(events[0]!.value).toMatchObject({ code: 'login_required' });
    await expect(client.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(refreshes).toBe(1);
  });

  it('does not retry an invalid_grant from the code exchange of a silent renewal', async () => {
    vi.useFakeTimers();
    w.provider.expiresIn = 3600;
    const client = w.client({ renewBeforeExpiry: 20 * 60, silentTimeout: 10 * MIN });
    await w.signIn(client);
    const events = w.record(client, 'token', 'renewError');
    const frames = vi.spyOn(document, 'createElement');
    faultWhile(w.provider, 'token', () => true, oauthError('invalid_grant'));
    await advanceUntil(() => silentFrame() !== null, 1_000, 45 * MIN);
    await w.answerSilentFrame();
    await vi.advanceTimersByTimeAsync(2 * 60 * MIN);
    expect(w.provider.tokenRequests).toHaveLength(2);
    expect(frames.mock.calls.filter(([tag]) => tag.toLowerCase() === 'iframe')).toHaveLength(1);
    expect(events).toMatchObject([{ name: 'renewError', value: { code: 'invalid_grant' } }]);
  });
});

// ---- A slow renewal and a new login ------------------------------------------------------------------------------

describe('a slow renewal racing a new login', () => {
  it('a renewal still in flight when a login completes does not replace the new session (an account switch is not undone)', async () => {
    w.provider.issueRefreshTokens = true;
    const earlier = w.client();
    const { session: old } = await w.signIn(earlier);
    earlier.dispose();
    // The callback page, loaded while the stored session is due for renewal; the provider is slow to answer it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(old.expiresAt - 30_000);
    let answer!: () => void;
    const slow = new Promise<void>((r) => (answer = r));
    w.provider.onToken(async (req) => {
      await slow;
      return w.provider.issue(req);
    });
    const page = w.client();
    await vi.waitFor(() => expect(w.provider.tokenRequests.map((r) => r.body?.get('grant_type'))).toContain('refresh_token'));
    // The user signed in as someone else.
    w.provider.sub = 'user-2';
    const { session } = await page.handleRedirectCallback(w.callbackFor(await w.startLogin(page)));
    expect(session.claims?.sub).toBe('user-2');
    answer();
    await page.renew().catch(() => undefined);
    expect((await page.getSession())?.claims?.sub).toBe('user-2');
    expect(await page.getSession()).toEqual(session);
  });

  it("a renewal that fails after a new login does not block the new session's renewals", async () => {
    const page = w.client({ automaticSilentRenew: false });
    await w.signIn(page);
    const renewing = page.renew().then(
      () => undefined,
      (e: unknown) => e,
    );
    const frame = await waitForSilentFrame();
    const lateAnswer = w.provider.authorize(frame.src, { error: 'login_required' });
    // The user signs in again while the silent renewal is still out.
    const { session } = await page.handleRedirectCallback(w.callbackFor(await w.startLogin(page)));
    postFrom(frame.contentWindow, APP_ORIGIN, silentPageMessage(lateAnswer));
    expect(await renewing).toMatchObject({ code: 'login_required' });
    // The new session expires: getAccessToken() renews it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(session.expiresAt + 1_000);
    const token = page.getAccessToken().then(
      (t) => t,
      (e: unknown) => e,
    );
    await w.answerSilentFrame();
    expect(await token).toBe(w.provider.issuedAccessTokens.at(-1));
  });
});

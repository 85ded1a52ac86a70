/**
 * The sign-in state an app binds to (getState, subscribe, ready: src/auth-state.ts), and the one commit that decides
 * which session is current and is the only writer of storage. Driven through the client, as an app sees it; a
 * recording store shows every write, transient ones included.
 */
import { describe, expect, it, vi } from 'vitest';
import { type AuthState, observeAuth, type SessionStore } from '../../src/index.js';
import type { StoredSession } from '../../src/session.js';
import { installLocks } from './support/locks.js';
import { renewedFrom } from './support/sessions.js';
import { SESSION_KEY, useWorld } from './support/world.js';

const w = useWorld();

/** A store that records every write (with whether a session was written) and every removal, in order. */
function recordingStore(): SessionStore & { log: string[]; data: Map<string, string> } {
  const data = new Map<string, string>();
  const log: string[] = [];
  return {
    data,
    log,
    get: (k) => data.get(k) ?? null,
    set(k, v) {
      log.push(`set ${JSON.parse(v).accessToken}`);
      data.set(k, v);
    },
    remove(k) {
      log.push('remove');
      data.delete(k);
    },
  };
}

/** Another tab's SDK on the app's channel: sends any message. */
function otherTab() {
  const channel = new BroadcastChannel(SESSION_KEY);
  return { send: (m: object) => channel.postMessage({ v: 1, from: 'other-tab', ...m }), close: () => channel.close() };
}


describe('the snapshot', () => {
  it('is loading until start-up is done, then signed out; a login makes it signed in, a logout signed out again', async () => {
    const client = w.client();
    expect(observeAuth(client).getState()).toMatchObject({ status: 'loading', session: null, error: null });
    await observeAuth(client).ready;
    expect(observeAuth(client).getState()).toEqual({ status: 'signed-out', session: null, silentRenewal: 'unknown', error: null });
    const { session } = await w.signIn(client);
    expect(observeAuth(client).getState()).toMatchObject({ status: 'signed-in', session });
    await client.logout({ endSession: false });
    expect(observeAuth(client).getState()).toMatchObject({ status: 'signed-out', session: null });
  });

  it('keeps its identity while nothing changed, and tells subscribers of each change until they unsubscribe', async () => {
    const client = w.client({ automaticSilentRenew: false });
    await observeAuth(client).ready;
    const seen: AuthState[] = [];
    const unsubscribe = observeAuth(client).subscribe(() => seen.push(observeAuth(client).getState()));
    const before = observeAuth(client).getState();
    expect(observeAuth(client).getState()).toBe(before);
    await w.signIn(client);
    const signedIn = observeAuth(client).getState();
    expect(signedIn).not.toBe(before);
    expect(observeAuth(client).getState()).toBe(signedIn);
    expect(seen.at(-1)).toBe(signedIn);
    // A renewal: a new session, a new snapshot.
    w.provider.issueRefreshTokens = false;
    const renewing = client.renew();
    await w.answerSilentFrame();
    const renewed = await renewing;
    expect(observeAuth(client).getState().session).toEqual(renewed);
    expect(observeAuth(client).getState()).not.toBe(signedIn);
    unsubscribe();
    const count = seen.length;
    await client.logout({ endSession: false });
    expect(seen).toHaveLength(count);
    // Every snapshot a subscriber saw differs from the one before it.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
  });

  it('holds the last renewal failure until a session arrives, and the renewal path', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    expect(observeAuth(client).getState().silentRenewal).toBe('refresh_token');
    w.provider.onToken(() => new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400, headers: { 'content-type': 'application/json' } }));
    w.provider.issueRefreshTokens = false;
    const failing = client.renew().catch((e) => e.code);
    await w.answerSilentFrame({ error: 'login_required' });
    expect(await failing).toBe('login_required');
    expect(observeAuth(client).getState().error).toMatchObject({ code: 'login_required' });
    w.provider.onToken((req) => w.provider.issue(req));
    await w.signIn(client);
    expect(observeAuth(client).getState().error).toBeNull();
  });

  it('a failed callback is the error too', async () => {
    const client = w.client();
    await expect(client.handleRedirectCallback('https://app.example/callback?code=c&state=nope')).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(observeAuth(client).getState().error).toMatchObject({ code: 'state_mismatch' });
  });
});

describe('observeAuth()', () => {
  it('gives one observer per client, and refuses an object that is not a client of this SDK', () => {
    const client = w.client();
    expect(observeAuth(client)).toBe(observeAuth(client));
    expect(observeAuth(w.client())).not.toBe(observeAuth(client));
    // A service that copies the methods (not the SDK's internals): it type-checks, yet is not the client.
    const wrapper = Object.fromEntries(Object.entries(client)) as unknown as typeof client;
    expect(() => observeAuth(wrapper)).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});

describe('commit: nothing is written unless it takes the session', () => {
  it('a renewal answer that arrives after a logout is never written, not even for a moment', async () => {
    const store = recordingStore();
    const client = w.client({ storage: store, automaticSilentRenew: false });
    await w.signIn(client);
    // The token endpoint answers the renewal's code exchange only once the user has logged out.
    let answer: (() => void) | undefined;
    w.provider.onToken((req) => new Promise<Response>((resolve) => (answer = () => resolve(w.provider.issue(req)))));
    const renewing = client.renew().catch((e) => e.code);
    await w.answerSilentFrame();
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'));
    await client.logout({ endSession: false });
    store.log.length = 0;
    answer?.();
    expect(await renewing).toBe('login_required');
    expect(store.log).toEqual([]);
    expect(observeAuth(client).getState().status).toBe('signed-out');
  });

  it("another tab's broadcast of a session of the ended login, arriving after the logout, is never written", async () => {
    const store = recordingStore();
    const client = w.client({ storage: store, shareAcrossTabs: true, automaticSilentRenew: false });
    await w.signIn(client);
    const ended = JSON.parse(store.data.get(SESSION_KEY)!) as StoredSession;
    await client.logout({ endSession: false });
    store.log.length = 0;
    const tab = otherTab();
    tab.send({ t: 'session', s: renewedFrom(ended, 'late-broadcast') });
    await new Promise((r) => setTimeout(r, 30));
    tab.close();
    expect(store.log).toEqual([]);
    expect(await client.getSession()).toBeNull();
  });

  it("takes another tab's renewal of the current login, stores it, and does not echo it back", async () => {
    installLocks();
    const store = recordingStore();
    const client = w.client({ storage: store, shareAcrossTabs: true, automaticSilentRenew: false });
    await w.signIn(client);
    const current = JSON.parse(store.data.get(SESSION_KEY)!) as StoredSession;
    const tab = otherTab();
    const echoes: unknown[] = [];
    const listen = new BroadcastChannel(SESSION_KEY);
    listen.onmessage = (e) => e.data?.t === 'session' && e.data.from !== 'other-tab' && echoes.push(e.data);
    tab.send({ t: 'session', s: renewedFrom(current, 'from-the-other-tab') });
    await vi.waitFor(() => expect(observeAuth(client).getState().session?.accessToken).toBe('from-the-other-tab'));
    expect(store.log.at(-1)).toBe('set from-the-other-tab');
    expect(echoes).toHaveLength(0);
    tab.close();
    listen.close();
  });

  it('an older session (an earlier token of the login, from storage or a tab) is refused: the newer one stays', async () => {
    const store = recordingStore();
    const client = w.client({ storage: store, shareAcrossTabs: true, automaticSilentRenew: false });
    await w.signIn(client);
    const current = JSON.parse(store.data.get(SESSION_KEY)!) as StoredSession;
    store.log.length = 0;
    const tab = otherTab();
    tab.send({ t: 'session', s: { ...current, accessToken: 'older', receivedAt: current.receivedAt - 1_000 } });
    await new Promise((r) => setTimeout(r, 30));
    tab.close();
    expect(store.log).toEqual([]);
    expect((await client.getSession())?.accessToken).toBe(current.accessToken);
  });
});

/**
 * Cross-tab coordination. happy-dom has no BroadcastChannel of its own; Node's global one is used, and it delivers
 * between instances of one page just as a browser does between tabs. happy-dom's `navigator.locks` is null, so the
 * tests that need Web Locks install a minimal in-memory LockManager (one lock per name, granted in order).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newerSession, type StoredSession } from '../../src/session.js';
import { createTabSync, type TabSync, type TabSyncHooks } from '../../src/tabs.js';
import { installLocks } from './support/locks.js';
import { useWorld } from './support/world.js';

const w = useWorld();

/** A session of login `loginId` (made at 0) received at `receivedAt`. */
const session = (receivedAt: number, accessToken = `at-${receivedAt}`, loginId = 'l1', loginAt = 0): StoredSession => ({
  accessToken,
  tokenType: 'bearer',
  expiresAt: receivedAt + 3_600_000,
  receivedAt,
  loginId,
  loginAt,
});

let channelName = '';
const opened: { close(): void }[] = [];

/** A tab of the app on a fresh channel name (per test), with recorded hooks. */
function tab(current: StoredSession | null = null) {
  const hooks = {
    current: vi.fn<TabSyncHooks['current']>(() => current),
    onSession: vi.fn<TabSyncHooks['onSession']>(),
    onLogout: vi.fn<TabSyncHooks['onLogout']>(),
  };
  const sync = createTabSync(channelName, hooks);
  opened.push(sync);
  return { sync, hooks };
}

/** Closes a tab now (a tab must be closed only once: see the dispose() test in client.test.ts). */
function closeTab(t: { sync: TabSync }) {
  opened.splice(opened.indexOf(t.sync), 1);
  t.sync.close();
}

/** A bare channel on the same name: sees every message, and can send any. */
function observer() {
  const channel = new BroadcastChannel(channelName);
  opened.push(channel);
  const seen: Record<string, unknown>[] = [];
  channel.onmessage = (e: MessageEvent) => seen.push(e.data);
  return { channel, seen };
}

/** Waits until every message sent so far has been delivered. */
const settle = () => new Promise((r) => setTimeout(r, 20));

afterEach(() => {
  for (const o of opened.splice(0)) o.close();
  Reflect.deleteProperty(navigator, 'locks');
});

describe('TabSync', () => {
  it('carries a new session to the other tabs', async () => {
    channelName = `t-${Math.random()}`;
    const a = tab();
    const b = tab();
    const s = session(1_000);
    a.sync.publish(s);
    await vi.waitFor(() => expect(b.hooks.onSession).toHaveBeenCalledWith(s));
    expect(a.hooks.onSession).not.toHaveBeenCalled();
  });

  it('carries a logout to the other tabs', async () => {
    channelName = `t-${Math.random()}`;
    const a = tab();
    const b = tab();
    a.sync.publishLogout(1);
    await vi.waitFor(() => expect(b.hooks.onLogout).toHaveBeenCalledWith(1));
    expect(a.hooks.onLogout).not.toHaveBeenCalled();
  });

  it('answers a question with its current session, addressed to the asker', async () => {
    channelName = `t-${Math.random()}`;
    const s = session(5_000);
    tab(s);
    const o = observer();
    o.channel.postMessage({ v: 1, t: 'ask', from: 'new-tab' });
    await vi.waitFor(() => expect(o.seen).toContainEqual({ v: 1, t: 'answer', from: expect.any(String), to: 'new-tab', s }));
  });

  it("ask('any'): a new tab gets a session from another tab", async () => {
    channelName = `t-${Math.random()}`;
    const s = session(5_000);
    tab(s);
    const fresh = tab();
    await expect(fresh.sync.ask('any')).resolves.toEqual(s);
  });

  it("ask('any'): the newest session among the answers, not the first (a tab back from the cache may hold an earlier login)", async () => {
    channelName = `t-${Math.random()}`;
    // The stale tab was opened first, so its answer arrives first.
    tab(session(5_000, 'previous-user', 'l1', 1_000));
    tab(session(3_000, 'current-user', 'l2', 2_000));
    const fresh = tab();
    await expect(fresh.sync.ask('any')).resolves.toMatchObject({ accessToken: 'current-user' });
  });

  it("ask('any'): null when no other tab has a session", async () => {
    channelName = `t-${Math.random()}`;
    tab(null);
    await expect(tab().sync.ask('any')).resolves.toBeNull();
  });

  it("ask('known'): waits for every known tab and returns the newest session", async () => {
    channelName = `t-${Math.random()}`;
    const a = tab();
    const b = tab(session(2_000));
    const c = tab(session(3_000));
    const d = tab(null);
    // Tabs become known to each other through any message.
    b.sync.publish(session(2_000));
    c.sync.publish(session(3_000));
    d.sync.publishLogout(1);
    await settle();
    await expect(a.sync.ask('known')).resolves.toEqual(session(3_000));
  });

  it("ask('known'): asks nobody when it knows no other tab", async () => {
    channelName = `t-${Math.random()}`;
    const a = tab();
    const o = observer();
    await expect(a.sync.ask('known')).resolves.toBeNull();
    await settle();
    expect(o.seen).toEqual([]);
  });

  it('forgets a tab that closed', async () => {
    channelName = `t-${Math.random()}`;
    const a = tab();
    const b = tab(session(2_000));
    b.sync.publish(session(2_000));
    await settle();
    closeTab(b);
    await settle();
    const o = observer();
    await expect(a.sync.ask('known')).resolves.toBeNull();
    await settle();
    expect(o.seen).toEqual([]);
  });

  it('ignores malformed messages and answers meant for another tab', async () => {
    channelName = `t-${Math.random()}`;
    const a = tab();
    const o = observer();
    const pending = a.sync.ask('any');
    const forged = { ...session(9_000), expiresAt: 'never' };
    for (const m of [
      null,
      'text',
      42,
      { v: 1, t: 'answer', from: 'x', to: 'someone-else', s: session(9_000) },
      // An SDK of another version (mid-deploy), and a session of the wrong shape.
      { t: 'session', from: 'x', s: session(9_000) },
      { v: 2, t: 'logout', from: 'x', at: 1 },
      { v: 1, t: 'session', from: 'x', s: forged },
      { v: 1, t: 'logout', from: 'x' },
    ])
      o.channel.postMessage(m);
    await expect(pending).resolves.toBeNull();
    expect(a.hooks.onSession).not.toHaveBeenCalled();
    expect(a.hooks.onLogout).not.toHaveBeenCalled();
  });

  it('says goodbye on pagehide and asks again when restored from the back/forward cache', async () => {
    channelName = `t-${Math.random()}`;
    tab();
    const o = observer();
    window.dispatchEvent(new Event('pagehide'));
    window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false }));
    window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    await settle();
    expect(o.seen.map((m) => m.t)).toEqual(['bye', 'ask']);
  });

  it('stops listening to page events once closed', async () => {
    channelName = `t-${Math.random()}`;
    const a = tab();
    closeTab(a);
    const o = observer();
    window.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(o.seen).toEqual([]);
  });

  it('withLock runs the renewal under the Web Lock named after the app', async () => {
    channelName = `t-${Math.random()}`;
    const requested = installLocks();
    const a = tab();
    await expect(a.sync.withLock(async () => 'renewed')).resolves.toBe('renewed');
    expect(requested).toEqual([`${channelName}:renew`]);
  });

  it('withLock still runs the renewal where Web Locks is missing', async () => {
    channelName = `t-${Math.random()}`;
    expect(navigator.locks ?? null).toBeNull();
    await expect(tab().sync.withLock(async () => 42)).resolves.toBe(42);
  });
});

describe('newerSession', () => {
  it('orders by login, then by when the token was obtained, never by expiry', () => {
    const a = session(1);
    const b = { ...session(2), expiresAt: 10 };
    expect(newerSession(a, b)).toBe(b);
    expect(newerSession(b, a)).toBe(b);
    expect(newerSession(null, a)).toBe(a);
    expect(newerSession(a, null)).toBe(a);
    expect(newerSession(null, null)).toBeNull();
    expect(newerSession(a, session(1))).toBe(a);
    // A later login wins over an earlier login's later token (an account switch in another tab).
    const switched = session(0, 'other', 'l2', 5);
    expect(newerSession(session(100), switched)).toBe(switched);
    expect(newerSession(switched, session(100))).toBe(switched);
  });
});

describe('TabSync questions', () => {
  it("ask('handover') asks even when no tab is known, and takes the first answer", async () => {
    channelName = `t-${Math.random()}`;
    // Tabs that never spoke: the renewing tab closed, the third one has its session.
    const s = session(7_000);
    tab(s);
    await expect(tab().sync.ask('handover')).resolves.toEqual(s);
  });

  it('forgets a known tab that stopped answering, so later questions do not wait for it', async () => {
    channelName = `t-${Math.random()}`;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const a = tab();
    const o = observer();
    o.channel.postMessage({ v: 1, t: 'session', from: 'ghost', s: session(1) });
    await vi.waitFor(() => expect(a.hooks.onSession).toHaveBeenCalled());
    const first = a.sync.ask('known');
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(first).resolves.toBeNull();
    o.seen.length = 0;
    // The ghost is no longer known: no question is even sent.
    await expect(a.sync.ask('known')).resolves.toBeNull();
    vi.useRealTimers();
    await settle();
    expect(o.seen).toEqual([]);
  });
});

describe('clients in several tabs', () => {
  const tabOptions = { shareAcrossTabs: true, storage: 'memory' as const, automaticSilentRenew: false };

  it("a login in one tab becomes the other tabs' session", async () => {
    const a = w.client(tabOptions);
    const b = w.client(tabOptions);
    await b.getSession();
    const events = w.record(b, 'token');
    const { session: s } = await w.signIn(a);
    await vi.waitFor(() => expect(events).toEqual([{ name: 'token', value: s }]));
    const requests = w.provider.requests.length;
    expect(await b.getAccessToken()).toBe(s.accessToken);
    expect(w.provider.requests).toHaveLength(requests);
  });

  it('a login that completes while a lone tab still waits for answers from other tabs counts at once', async () => {
    // The callback page's client asks other tabs for a session when it starts; nobody answers a lone tab, so that
    // question only ends at its timeout. A login completing meanwhile must not wait for it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const a = w.client(tabOptions);
    const { session: s } = await w.signIn(a);
    let answer: boolean | undefined;
    void a.isAuthenticated().then((v) => (answer = v));
    await vi.advanceTimersByTimeAsync(0);
    expect(answer).toBe(true);
    expect(await a.getSession()).toEqual(s);
  });

  it('a new tab starts with the session of an open tab', async () => {
    const a = w.client(tabOptions);
    const { session: s } = await w.signIn(a);
    const c = w.client(tabOptions);
    expect(await c.getSession()).toEqual(s);
  });

  it('a logout in one tab signs the other tabs out', async () => {
    const a = w.client(tabOptions);
    const b = w.client(tabOptions);
    await w.signIn(a);
    await vi.waitFor(async () => expect(await b.isAuthenticated()).toBe(true));
    const events = w.record(b, 'logout');
    await a.logout();
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(await b.getSession()).toBeNull();
  });

  it('two tabs renewing at once make one refresh request and share its result', async () => {
    installLocks();
    w.provider.issueRefreshTokens = true;
    const a = w.client(tabOptions);
    await w.signIn(a);
    const b = w.client(tabOptions);
    await b.getSession();
    const before = w.provider.tokenRequests.length;
    const [ra, rb] = await Promise.all([a.renew(), b.renew()]);
    expect(w.provider.tokenRequests).toHaveLength(before + 1);
    expect(rb).toEqual(ra);
    expect(ra.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
  });
});

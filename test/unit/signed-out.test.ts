/**
 * Logout that sticks: the logout marker (src/signed-out.ts) and every path a session could come back by after a
 * logout: the tab's own storage, a renewal, the scheduler, another tab's late broadcast.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredSession } from '../../src/session.js';
import { silentFrame } from './support/browser.js';
import { installLocks, removeLocks } from './support/locks.js';
import { settle } from './support/faults.js';
import { CLIENT_ID, ISSUER } from './support/fake-provider.js';
import { renewedFrom } from './support/sessions.js';
import { SESSION_KEY, useWorld } from './support/world.js';

const w = useWorld();
afterEach(() => removeLocks());
// One marker per client and authority, whatever the scope: see 'every client of the app'.
const MARKER_KEY = `cpk:${CLIENT_ID}@${ISSUER}/:signed-out`;

/** A bare channel on the app's channel: sees every message, and can send any (another tab's SDK). */
function otherTab() {
  const channel = new BroadcastChannel(SESSION_KEY);
  const seen: Record<string, unknown>[] = [];
  channel.onmessage = (e: MessageEvent) => seen.push(e.data);
  return { channel, seen, [Symbol.dispose]: () => channel.close() };
}


describe('a logout', () => {
  it("reaches a tab that was not running: its own stored copy is refused and deleted when it comes back", async () => {
    const a = w.client();
    await w.signIn(a);
    // Tab A navigates away; its sessionStorage keeps its copy of the session.
    const copy = sessionStorage.getItem(SESSION_KEY)!;
    a.dispose();
    // Tab B logs out (its sessionStorage is its own: here, the copy is put back to stand for A's).
    await w.client().logout();
    sessionStorage.setItem(SESSION_KEY, copy);
    // Tab A comes back (back button, reload after a discard).
    const back = w.client();
    expect(await back.getSession()).toBeNull();
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
    await expect(back.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(silentFrame()).toBeNull();
  });

  it('reaches a tab restored from the back/forward cache, which signs out at once', async () => {
    const a = w.client();
    await w.signIn(a);
    const events = w.record(a, 'logout');
    // Another tab logged out while this one was in the bfcache: only its marker is left to find.
    localStorage.setItem(MARKER_KEY, String(Date.now() + 1));
    window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(await a.getSession()).toBeNull();
  });

  it('reaches a tab that shares nothing with the others (shareAcrossTabs: false) through the storage event', async () => {
    const a = w.client();
    await w.signIn(a);
    const events = w.record(a, 'logout');
    const at = String(Date.now() + 1);
    localStorage.setItem(MARKER_KEY, at);
    window.dispatchEvent(new StorageEvent('storage', { key: MARKER_KEY, newValue: at }));
    await vi.waitFor(() => expect(events).toHaveLength(1));
  });

  it('is not undone by getAccessToken(), renew() or the scheduler while the provider session lives', async () => {
    // End-session never completes here (captured form POST): the provider session is still alive.
    const a = w.client({ renewBeforeExpiry: 60 });
    await w.signIn(a);
    await a.logout();
    const requests = w.provider.requests.length;
    await expect(a.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    await expect(a.renew()).rejects.toMatchObject({ code: 'login_required' });
    await settle();
    expect(silentFrame()).toBeNull();
    expect(w.provider.requests).toHaveLength(requests);
    expect(await a.getSession()).toBeNull();
  });

  it('refuses a renewal that was still running when it happened', async () => {
    w.provider.issueRefreshTokens = true;
    const a = w.client({ automaticSilentRenew: false });
    await w.signIn(a);
    let answer!: (r: Response) => void;
    w.provider.onToken(() => new Promise<Response>((resolve) => (answer = resolve)));
    const renewal = a.renew();
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'));
    await a.logout();
    answer(w.provider.issue({ body: new URLSearchParams(), grantType: 'refresh_token', signal: undefined }));
    await expect(renewal).rejects.toMatchObject({ code: 'login_required' });
    expect(await a.getSession()).toBeNull();
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it("refuses another tab's renewal of the ended login that arrives after it", async () => {
    const a = w.client({ shareAcrossTabs: true });
    await w.signIn(a);
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY)!) as StoredSession;
    using tab = otherTab();
    await a.logout();
    // Tab B renewed just before it heard of the logout: its broadcast crosses the logout.
    tab.channel.postMessage({ v: 1, t: 'session', from: 'tab-b', s: renewedFrom(stored, 'late') });
    await settle();
    await settle();
    expect(await a.getSession()).toBeNull();
    expect(tab.seen.map((m) => m.t)).toContain('logout');
  });

  it('carries its time to the other tabs, which refuse the ended login even before localStorage shows the marker', async () => {
    const a = w.client({ shareAcrossTabs: true });
    await w.signIn(a);
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY)!) as StoredSession;
    using tab = otherTab();
    const events = w.record(a, 'logout', 'token');
    tab.channel.postMessage({ v: 1, t: 'logout', from: 'tab-b', at: stored.loginAt + 5 });
    await vi.waitFor(() => expect(events.map((e) => e.name)).toEqual(['logout']));
    localStorage.removeItem(MARKER_KEY);
    tab.channel.postMessage({ v: 1, t: 'session', from: 'tab-b', s: renewedFrom(stored, 'late') });
    await settle();
    await settle();
    expect(events.map((e) => e.name)).toEqual(['logout']);
  });

  // Issue 19 item 5: Chromium carries another renderer's localStorage write to this tab a few ms late, so the marker
  // alone let a renewal committed in that gap be written after the logout. The logout's Web Lock is seen at once.
  it("is seen through another tab's Web Lock before its localStorage marker arrives: a renewal then is never written", async () => {
    installLocks();
    w.provider.issueRefreshTokens = true;
    const a = w.client({ automaticSilentRenew: false, storage: 'local' });
    await w.signIn(a);
    const stored = localStorage.getItem(SESSION_KEY);
    const events = w.record(a, 'token');
    // Tab B logs out: it holds its logout's lock; its marker has not reached this tab's localStorage yet.
    const at = JSON.parse(String(stored)).loginAt + 5;
    void navigator.locks.request(`${MARKER_KEY}@${at}`, () => new Promise(() => {}));
    // Refused: the renewal hands back the session this tab holds until the logout's message reaches it.
    const renewed = await a.renew().catch(() => null);
    expect([null, JSON.parse(String(stored)).accessToken]).toContain(renewed?.accessToken ?? null);
    expect(localStorage.getItem(SESSION_KEY)).toBe(stored);
    expect(events).toEqual([]);
  });

  it('waits for a commit under way in its tab: the logout comes after it, and what it wrote is removed', async () => {
    const requested = installLocks();
    const writes: string[] = [];
    let finish!: () => void;
    const store = {
      data: new Map<string, string>(),
      get: (k: string) => store.data.get(k),
      async set(k: string, v: string) {
        writes.push('set');
        await new Promise<void>((r) => (finish = r));
        store.data.set(k, v);
      },
      remove(k: string) {
        if (k === SESSION_KEY) writes.push('remove');
        store.data.delete(k);
      },
    };
    const a = w.client({ automaticSilentRenew: false, storage: store });
    const login = w.signIn(a);
    await vi.waitFor(() => expect(writes).toEqual(['set']));
    const logout = a.logout({ endSession: false });
    await settle();
    expect(writes).toEqual(['set']);
    finish();
    await Promise.allSettled([login, logout]);
    expect(writes).toEqual(['set', 'remove']);
    expect(store.data.size).toBe(0);
    expect(requested.filter((n) => n.endsWith(':turn'))).toHaveLength(2);
  });

  it('works where the page may not use Web Locks (an opaque origin rejects every request): sign-in and logout as without them', async () => {
    const refuse = () => Promise.reject(new DOMException('opaque origin', 'SecurityError'));
    Object.defineProperty(navigator, 'locks', { value: { request: refuse, query: refuse }, configurable: true });
    const a = w.client({ automaticSilentRenew: false });
    await w.signIn(a);
    expect(sessionStorage.getItem(SESSION_KEY)).not.toBeNull();
    await a.logout({ endSession: false });
    expect(await a.getSession()).toBeNull();
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('ends only when login() completes: the new login is taken, in this tab and by the others', async () => {
    const a = w.client({ shareAcrossTabs: true });
    await w.signIn(a);
    await a.logout();
    using tab = otherTab();
    const { session } = await w.signIn(a);
    expect(await a.getSession()).toEqual(session);
    await vi.waitFor(() => expect(tab.seen.map((m) => m.t)).toContain('session'));
  });

  it('revokes the refresh token where the provider has a revocation endpoint (RFC 7009)', async () => {
    w.provider.issueRefreshTokens = true;
    w.provider.metadata.revocation_endpoint = `${w.provider.issuer}/revoke`;
    const a = w.client();
    await w.signIn(a);
    const { refreshToken } = JSON.parse(sessionStorage.getItem(SESSION_KEY)!) as StoredSession;
    await a.logout();
    const revoke = w.provider.requests.find((r) => r.url.endsWith('/revoke'));
    expect(revoke?.body?.get('token')).toBe(refreshToken);
    expect(revoke?.body?.get('token_type_hint')).toBe('refresh_token');
    expect(w.submit).toHaveBeenCalledTimes(1);
  });

  it.each(['https://evil.example/', 'javascript:alert(1)'])('refuses returnTo %j, leaving the session as it was', async (returnTo) => {
    const a = w.client();
    const { session } = await w.signIn(a);
    await expect(a.logout({ returnTo })).rejects.toMatchObject({ code: 'invalid_return_to' });
    expect(await a.getSession()).toEqual(session);
    expect(localStorage.getItem(MARKER_KEY)).toBeNull();
  });
});

describe('a logout, further', () => {
  it("reaches every client of the app, whatever its scope or tenant (one marker per client and authority)", async () => {
    const api1 = w.client({ scope: 'openid api1' });
    await w.signIn(api1);
    const api2 = w.client({ scope: 'openid api2' });
    await w.signIn(api2);
    await api1.logout();
    const back = w.client({ scope: 'openid api2' });
    expect(await back.getSession()).toBeNull();
  });

  it('sticks even when the clock went back between the login and the logout', async () => {
    const a = w.client();
    await w.signIn(a);
    const copy = sessionStorage.getItem(SESSION_KEY)!;
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now - 600_000);
    await a.logout();
    vi.mocked(Date.now).mockRestore();
    sessionStorage.setItem(SESSION_KEY, copy);
    expect(await w.client().getSession()).toBeNull();
  });

  it('ends with the next login: then silent sign-in is allowed again (also all within one millisecond)', async () => {
    // A fast machine does it all in one millisecond: the marker then lies a millisecond ahead of the clock.
    vi.spyOn(Date, 'now').mockReturnValue(Date.now());
    const a = w.client({ automaticSilentRenew: false });
    await w.signIn(a);
    await a.logout();
    await w.signIn(a);
    // A new tab with no session of its own may sign in silently again.
    sessionStorage.clear();
    const fresh = w.client({ automaticSilentRenew: false });
    const renewal = fresh.renew();
    await w.answerSilentFrame();
    await expect(renewal).resolves.toMatchObject({ accessToken: expect.any(String) });
  });
});

describe('an account switch in another tab', () => {
  it("is not undone by this tab's renewal of the earlier login landing later", async () => {
    const a = w.client({ shareAcrossTabs: true });
    await w.signIn(a);
    const first = JSON.parse(sessionStorage.getItem(SESSION_KEY)!) as StoredSession;
    using tab = otherTab();
    const other: StoredSession = { ...renewedFrom(first, 'bob'), loginId: 'bob-login', loginAt: first.loginAt + 10, receivedAt: first.receivedAt + 10 };
    tab.channel.postMessage({ v: 1, t: 'session', from: 'tab-b', s: other });
    await vi.waitFor(async () => expect((await a.getSession())?.accessToken).toBe('bob'));
    // A renewal of the first login, from yet another tab, lands afterwards with a later receipt time.
    tab.channel.postMessage({ v: 1, t: 'session', from: 'tab-c', s: renewedFrom(first, 'alice-late') });
    await settle();
    await settle();
    expect((await a.getSession())?.accessToken).toBe('bob');
  });

  it('a renewed token with a shorter lifetime is taken by the other tabs (its refresh token is the live one)', async () => {
    const a = w.client({ shareAcrossTabs: true });
    await w.signIn(a);
    const first = JSON.parse(sessionStorage.getItem(SESSION_KEY)!) as StoredSession;
    using tab = otherTab();
    const shorter = { ...renewedFrom(first, 'shorter'), expiresAt: first.expiresAt - 1_800_000, refreshToken: 'rotated' };
    tab.channel.postMessage({ v: 1, t: 'session', from: 'tab-b', s: shorter });
    await vi.waitFor(async () => expect((await a.getSession())?.accessToken).toBe('shorter'));
  });
});

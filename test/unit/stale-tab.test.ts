/**
 * A tab that was not running (followed a link away, discarded, in the back/forward cache) while another tab switched
 * accounts or rotated the refresh token: back in it, the app works as the current user with the live refresh token.
 * Each tab keeps its own copy of the session (per-tab stores, like sessionStorage). Review 2026-12b N3, N4, S1.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionStore } from '../../src/index.js';
import { installLocks, removeLocks } from './support/locks.js';
import { perTabStore } from './support/sessions.js';
import { SESSION_KEY, useWorld } from './support/world.js';

const w = useWorld();
afterEach(() => removeLocks());
const tabs = (storage: SessionStore, o = {}) => ({ shareAcrossTabs: true, storage, automaticSilentRenew: false, ...o });
const subOf = (s: { claims?: { sub?: string } | undefined } | null) => s?.claims?.sub ?? null;

describe('an account switch made while a tab was away', () => {
  /** A and B signed in as user-1; B goes away (user-1's session in its own storage); A switches to user-2. */
  async function switchWhileBAway() {
    installLocks();
    const [storeA, storeB] = [perTabStore(), perTabStore()];
    const a = w.client(tabs(storeA));
    await w.signIn(a);
    const b = w.client(tabs(storeB));
    expect(subOf(await b.getSession())).toBe('user-1');
    b.dispose();
    w.provider.sub = 'user-2';
    await w.signIn(a, { prompt: 'login' }); // "Switch account" in A
    return { a, storeB };
  }

  it('reaches the tab when it comes back: the new user from the tab that holds it, never the previous user', async () => {
    const { a, storeB } = await switchWhileBAway();
    const b2 = w.client(tabs(storeB)); // back in B
    expect(subOf(await b2.getSession())).toBe('user-2');
    expect(await b2.getAccessToken()).toBe(await a.getAccessToken());
    // user-1's copy is not kept in B's storage.
    expect(JSON.parse(storeB.data.get(SESSION_KEY) ?? 'null')?.claims?.sub).toBe('user-2');
  });

  it('with no tab left to hand the new session over, the tab comes back signed out (not as the previous user)', async () => {
    const { a, storeB } = await switchWhileBAway();
    a.dispose(); // A closes too
    const b2 = w.client(tabs(storeB));
    expect(await b2.getSession()).toBeNull();
    expect(storeB.data.has(SESSION_KEY)).toBe(false);
  });

  it('reaches a page back from the back/forward cache (still running, its memory holding the previous user)', async () => {
    installLocks();
    const [storeA, storeB] = [perTabStore(), perTabStore()];
    const a = w.client(tabs(storeA));
    await w.signIn(a);
    // B shares nothing with A (its messages are lost while it sits in the cache): only the pageshow tells it.
    storeB.set(SESSION_KEY, String(storeA.get(SESSION_KEY)));
    const b = w.client({ ...tabs(storeB), shareAcrossTabs: false });
    expect(subOf(await b.getSession())).toBe('user-1');
    w.provider.sub = 'user-2';
    await w.signIn(a, { prompt: 'login' });
    const events = w.record(b, 'logout', 'token');
    dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await vi.waitFor(() => expect(events.map((e) => e.name)).toEqual(['logout']));
    expect(await b.getSession()).toBeNull();
  });
});

describe('a refresh token rotated by another tab while this one was away', () => {
  it('is not presented again: the renewal starts from the newest session another tab holds (reuse detection spares the grant)', async () => {
    installLocks();
    w.provider.issueRefreshTokens = true; // the fake provider rotates: a redeemed refresh token is refused
    const [storeA, storeB] = [perTabStore(), perTabStore()];
    const a = w.client({ ...tabs(storeA), silentTimeout: 100 });
    await w.signIn(a); // RT1
    const b = w.client(tabs(storeB));
    await b.getSession();
    b.dispose(); // B goes away holding RT1
    await a.renew(); // RT1 redeemed, RT2 issued
    const rt1 = w.provider.tokenRequests.at(-1)?.body?.get('refresh_token');
    // Later, when A's session is due as well (a throttled background tab), the user returns to B.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3_600_000 - 30_000 });
    const b2 = w.client({ ...tabs(storeB), silentTimeout: 100 });
    let revoked = false;
    w.provider.onToken((req) => {
      // Reuse detection (RFC 9700 §4.14.2): a redeemed refresh token presented again revokes the whole grant.
      if (req.body.get('refresh_token') === rt1) revoked = true;
      if (revoked) return new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400, headers: { 'content-type': 'application/json' } });
      return w.provider.issue(req);
    });
    const outcomeB = await b2.renew().then(() => 'renewed', (e) => `rejected ${e.code}`);
    const outcomeA = await a.renew().then(() => 'renewed', (e) => `rejected ${e.code}`);
    expect({ revoked, outcomeB, outcomeA }).toEqual({ revoked: false, outcomeB: 'renewed', outcomeA: 'renewed' });
  });
});

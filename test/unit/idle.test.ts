/**
 * Idle sign-out (src/idle.ts): after `after` seconds without activity in any tab, a countdown, then one logout.
 * Time is faked: each test moves the clock the way a user's idle minutes would.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AuthClient, createAuthClient } from '../../src/index.js';
import { type IdleOptions, type IdleSignOut, signOutWhenIdle } from '../../src/idle.js';
import { POPUP_NAME, SILENT_FRAME_NAME } from '../../src/sdk-window.js';
import { baseOptions, SESSION_KEY, useWorld } from './support/world.js';

const w = useWorld();
const ACTIVE_KEY = `${SESSION_KEY}:active`;
const FIRED_KEY = `${SESSION_KEY}:idle`;

const watchers: IdleSignOut[] = [];
afterEach(() => {
  for (const x of watchers.splice(0)) x.dispose();
});

/** A signed-in client, then fake time from now on. */
async function signedIn(): Promise<AuthClient> {
  const client = w.client({ automaticSilentRenew: false });
  await w.signIn(client);
  vi.useFakeTimers({ now: Date.now() });
  return client;
}

/** Starts the idle watch and records what it tells the app. */
async function watch(client: AuthClient, o: Partial<IdleOptions> = {}) {
  const seen: (number | 'active' | 'idle')[] = [];
  const idle = signOutWhenIdle(client, {
    after: 10,
    countdown: 3,
    onCountdown: (left) => seen.push(left),
    onActive: () => seen.push('active'),
    ...o,
  });
  watchers.push(idle);
  // The session is read asynchronously; let that settle.
  await vi.advanceTimersByTimeAsync(0);
  return { idle, seen };
}

const seconds = (s: number) => vi.advanceTimersByTimeAsync(s * 1000);
/**
 * An event as the browser makes it for the user's own input: `isTrusted`, which events a script dispatches never
 * are (happy-dom sets no such flag, so it is set here).
 */
const byUser = <E extends Event>(e: E): E => Object.defineProperty(e, 'isTrusted', { value: true });
const move = () => window.dispatchEvent(byUser(new Event('pointermove')));
const signedOut = () => w.submit.mock.calls.length > 0;

/** A signed-in tab with an onIdle of the app's that has just run, after 10 s without activity. */
async function idleOnce() {
  const client = await signedIn();
  const onIdle = vi.fn();
  await watch(client, { onIdle });
  await seconds(10);
  expect(onIdle).toHaveBeenCalledTimes(1);
  return { client, onIdle };
}

/** A watched tab whose wall clock jumps by `ms` (a sleep, an NTP correction) after `s` seconds of fake time. */
async function clockJumps(ms: number, s = 0) {
  await watch(await signedIn());
  await seconds(s);
  vi.setSystemTime(Date.now() + ms);
}

describe('signOutWhenIdle()', () => {
  it('counts down the last seconds, then logs out (ending the provider session)', async () => {
    const client = await signedIn();
    const { seen } = await watch(client);
    await seconds(6.5);
    expect(seen).toEqual([]);
    await seconds(3);
    expect(seen).toEqual([3, 2, 1]);
    expect(signedOut()).toBe(false);
    await seconds(1);
    expect(signedOut()).toBe(true);
    expect(await client.getSession()).toBeNull();
    // Its own sign-out is no "stay signed in".
    expect(seen).toEqual([3, 2, 1]);
  });

  it('activity keeps the user signed in: the time counts from the last one', async () => {
    const client = await signedIn();
    const { seen } = await watch(client);
    await seconds(6);
    move();
    await seconds(6);
    expect(signedOut()).toBe(false);
    expect(seen).toEqual([]);
    await seconds(5);
    expect(signedOut()).toBe(true);
  });

  it('activity during the countdown ends it, and the app hears so', async () => {
    const client = await signedIn();
    const { seen } = await watch(client);
    await seconds(8.5);
    expect(seen).toEqual([3, 2]);
    window.dispatchEvent(byUser(new KeyboardEvent('keydown')));
    await seconds(3);
    expect(seen).toEqual([3, 2, 'active']);
    expect(signedOut()).toBe(false);
  });

  it('a logout during the countdown ends it, and the app hears so (no frozen warning)', async () => {
    const client = await signedIn();
    const { seen } = await watch(client);
    await seconds(8.5);
    // In another tab, or here without leaving the page.
    await client.logout({ endSession: false });
    await seconds(5);
    expect(seen).toEqual([3, 2, 'active']);
  });

  it("another tab's activity (shared through localStorage) keeps this tab signed in and ends its countdown", async () => {
    const client = await signedIn();
    const { seen } = await watch(client);
    await seconds(8.5);
    localStorage.setItem(ACTIVE_KEY, String(Date.now()));
    window.dispatchEvent(new StorageEvent('storage', { key: ACTIVE_KEY }));
    expect(seen).toEqual([3, 2, 'active']);
    await seconds(5);
    expect(signedOut()).toBe(false);
  });

  it('tells the other tabs of activity at most once a second, and at once after a quiet spell', async () => {
    const client = await signedIn();
    await watch(client);
    // What the other tabs see: each value written.
    const written = new Set([localStorage.getItem(ACTIVE_KEY)]);
    for (let i = 0; i < 20; i++) {
      await seconds(0.1);
      move();
      written.add(localStorage.getItem(ACTIVE_KEY));
    }
    expect(written.size).toBe(3);
    await seconds(8.5);
    move();
    expect(localStorage.getItem(ACTIVE_KEY)).toBe(String(Date.now()));
  });

  it('the last activity of a burst reaches the other tabs too, a second later at most', async () => {
    const client = await signedIn();
    await watch(client);
    await seconds(0.5);
    const at = Date.now();
    // Less than a second after the page's own activity was shared.
    move();
    await seconds(1);
    expect(localStorage.getItem(ACTIVE_KEY)).toBe(String(at));
  });

  it('only counts while signed in; a new login starts the clock', async () => {
    const client = w.client({ automaticSilentRenew: false });
    vi.useFakeTimers({ now: Date.now() });
    const { seen } = await watch(client);
    await seconds(30);
    expect(seen).toEqual([]);
    vi.useRealTimers();
    await w.signIn(client);
    vi.useFakeTimers({ now: Date.now() });
    // The listeners hold no clock of their own: the login's activity is what counts.
    expect(Number(localStorage.getItem(ACTIVE_KEY))).toBeGreaterThan(0);
  });

  it('an old activity stamp (yesterday, or a login on the callback page) does not sign out a page that starts now', async () => {
    localStorage.setItem(ACTIVE_KEY, String(Date.now() - 86_400_000));
    const client = await signedIn();
    const { seen } = await watch(client);
    await seconds(5);
    expect(signedOut()).toBe(false);
    expect(seen).toEqual([]);
  });

  it('signs out at once when the computer wakes from a sleep past the deadline', async () => {
    await clockJumps(3_600_000);
    document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(signedOut()).toBe(true);
  });

  it('signs out at once when the computer wakes from a sleep past the deadline, even if a mouse move comes first', async () => {
    await clockJumps(3_600_000);
    // The move that wakes the computer, before the timer had a chance to run: it must not restart the clock.
    move();
    await seconds(1);
    expect(signedOut()).toBe(true);
  });

  it('a new login after a logout starts a new clock, however long ago the last one ran out', async () => {
    const client = await signedIn();
    await watch(client);
    await seconds(5);
    await client.logout({ endSession: false });
    vi.setSystemTime(Date.now() + 3_600_000);
    await w.signIn(client);
    await seconds(5);
    expect(signedOut()).toBe(false);
    expect(await client.getSession()).not.toBeNull();
  });

  it('a wall clock set back (an NTP correction) does not turn idle sign-out off for the size of the jump', async () => {
    await clockJumps(-3_600_000, 1);
    // The clock cannot tell how far it went back: the period counts again from the first look after the jump.
    await seconds(20);
    expect(signedOut()).toBe(true);
  });

  it('after the wall clock was set back, activity still reaches the other tabs at once', async () => {
    await clockJumps(-3_600_000, 2);
    move();
    expect(localStorage.getItem(ACTIVE_KEY)).toBe(String(Date.now()));
  });

  it('runs onIdle instead of logout, in one of two tabs that reach the deadline together', async () => {
    const client = await signedIn();
    const [first, second] = [vi.fn(), vi.fn()];
    await watch(client, { onIdle: first });
    await watch(client, { onIdle: second });
    await seconds(10);
    expect(first.mock.calls.length + second.mock.calls.length).toBe(1);
    expect(signedOut()).toBe(false);
  });

  it('runs onIdle in one tab only, even when the other tab claimed the period knowing an earlier last activity', async () => {
    const client = await signedIn();
    const onIdle = vi.fn();
    await watch(client, { onIdle });
    const shared = localStorage.getItem(ACTIVE_KEY);
    await seconds(0.5);
    // This tab's last activity: the other tab has not heard of it when it reaches the deadline and claims the period.
    move();
    await seconds(9.5);
    localStorage.setItem(FIRED_KEY, String(shared));
    await seconds(1);
    expect(onIdle).not.toHaveBeenCalled();
  });

  it('an onIdle that keeps the session (a lock screen) runs again when the user comes back and goes idle again', async () => {
    const { onIdle } = await idleOnce();
    move();
    await seconds(10);
    expect(onIdle).toHaveBeenCalledTimes(2);
  });

  it('a tab that another tab beat to onIdle ends its countdown (onActive) and watches on: the next period is its own', async () => {
    const client = await signedIn();
    const onIdle = vi.fn();
    const { seen } = await watch(client, { onIdle });
    // Another tab reaches the deadline first and claims this period.
    localStorage.setItem(FIRED_KEY, String(localStorage.getItem(ACTIVE_KEY)));
    await seconds(10);
    expect(onIdle).not.toHaveBeenCalled();
    expect(seen).toEqual([3, 2, 1, 'active']);
    move();
    await seconds(10);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('reset() counts as activity in every tab', async () => {
    const client = await signedIn();
    const { idle } = await watch(client);
    await seconds(9);
    idle.reset();
    expect(Number(localStorage.getItem(ACTIVE_KEY))).toBe(Date.now());
    await seconds(9);
    expect(signedOut()).toBe(false);
  });

  it('dispose() removes its timer and listeners', async () => {
    const client = await signedIn();
    const { idle, seen } = await watch(client);
    idle.dispose();
    move();
    await seconds(60);
    expect(seen).toEqual([]);
    expect(signedOut()).toBe(false);
  });

  it('dispose() right after the start (React StrictMode, a route change) means no countdown and no logout', async () => {
    const client = await signedIn();
    const onCountdown = vi.fn();
    // Disposed before the session was read.
    signOutWhenIdle(client, { after: 10, countdown: 3, onCountdown }).dispose();
    await seconds(30);
    expect(onCountdown).not.toHaveBeenCalled();
    expect(signedOut()).toBe(false);
  });

  it.each([
    ['dispose()', (idle: IdleSignOut) => idle.dispose()],
    ['activity', () => move()],
  ])('%s while the sign-out waits for its Web Lock: no onIdle', async (_what, meanwhile) => {
    let grant = () => {};
    // Holds back the sign-out's lock (the one asked for `ifAvailable`); the client's own locks are granted at once.
    const locks = {
      query: async () => ({ held: [] }),
      request: (_name: string, ...args: unknown[]) => {
        const f = args.at(-1) as (lock: unknown) => unknown;
        if (args.length === 1) return Promise.resolve(f({}));
        return new Promise((done) => {
          grant = () => done(f({}));
        });
      },
    };
    Object.defineProperty(navigator, 'locks', { value: locks, configurable: true });
    try {
      const client = await signedIn();
      const onIdle = vi.fn();
      const { idle } = await watch(client, { onIdle });
      await seconds(10);
      meanwhile(idle);
      grant();
      await seconds(0);
      expect(onIdle).not.toHaveBeenCalled();
    } finally {
      Reflect.deleteProperty(navigator, 'locks');
    }
  });

  it.each([
    { after: 0 },
    { after: -5 },
    { after: Number.NaN },
    { after: 10, countdown: 11 },
    { after: 10, countdown: -1 },
    { after: 1e10 },
  ])('refuses %o with invalid_config', (o) => {
    const client = w.client();
    expect(() => signOutWhenIdle(client, o)).toThrow(expect.objectContaining({ name: 'AuthError', code: 'invalid_config' }));
  });
});

describe('signOutWhenIdle(): what is no user activity (review 2026-12b)', () => {
  const extra: AuthClient[] = [];
  afterEach(() => {
    for (const c of extra.splice(0)) c.dispose();
  });

  // N1 (I1): the default silentRedirectUri is the app's own page, so every background renewal boots the app, start-up
  // code and all, in the SDK's hidden iframe; with a route as silent URI, the popup too.
  it.each([
    ['hidden iframe', SILENT_FRAME_NAME],
    ['popup', POPUP_NAME],
  ])('an app booting in the SDK’s %s (a renewal, with the app’s page as silent URI) restarts no idle period', async (_where, name) => {
    const opts = { automaticSilentRenew: false, silentRedirectUri: undefined };
    const tab = w.client(opts);
    await w.signIn(tab);
    vi.useFakeTimers({ now: Date.now() });
    await watch(tab, { after: 120, countdown: 30 });
    await seconds(100);
    // The app's start-up code there, sharing the tab's storage (same origin): a client and its idle watch.
    window.name = name;
    const inThere = createAuthClient(baseOptions(opts));
    extra.push(inThere);
    watchers.push(signOutWhenIdle(inThere, { after: 120, countdown: 30 }));
    await seconds(0);
    window.name = '';
    inThere.dispose();
    await seconds(25);
    expect(signedOut()).toBe(true);
  });

  // N7 (I2): a live log, a chat or a ticker scrolls itself (the browser's scroll event is trusted even then), and
  // scripts or UI libraries dispatch events of their own.
  it.each([
    ['a page that scrolls itself', () => window.dispatchEvent(byUser(new Event('scroll')))],
    ['events a script dispatches', () => window.dispatchEvent(new Event('pointermove'))],
  ])('%s every 5 s: still signed out on time', async (_what, tick) => {
    await watch(await signedIn(), { after: 60, countdown: 10 });
    for (let i = 0; i < 13; i++) {
      await seconds(5);
      tick();
    }
    expect(signedOut()).toBe(true);
  });

  // N8 (I3)
  it('a disposed client takes its watcher with it: no countdown, no logout (an app that forgot idle.dispose())', async () => {
    const client = await signedIn();
    const { seen } = await watch(client, { after: 20, countdown: 5 });
    client.dispose();
    await seconds(30);
    expect({ seen, signedOut: signedOut() }).toEqual({ seen: [], signedOut: false });
  });

  // N9 (I4)
  it("a tab whose localStorage writes fail (quota full) still keeps the other tabs signed in while its user works", async () => {
    const a = await signedIn();
    const b = w.client({ automaticSilentRenew: false });
    expect(await b.getSession()).not.toBeNull();
    const { idle } = await watch(a, { after: 30, countdown: 5 });
    await watch(b, { after: 30, countdown: 5 });
    const real = localStorage;
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => real.getItem(k),
      removeItem: (k: string) => real.removeItem(k),
      setItem: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    });
    // The user works in tab A only (B, another tab, sees none of A's events).
    for (let i = 0; i < 12; i++) {
      await seconds(5);
      idle.reset();
    }
    expect(signedOut()).toBe(false);
  });

  // N10 (X1)
  it('refuses an object that is not a client of the SDK (a service that implements AuthClient) with invalid_config', () => {
    // Its methods, bound to the client: what a wrapper that delegates each of them looks like.
    const service = Object.fromEntries(Object.entries(w.client())) as unknown as AuthClient;
    expect(() => signOutWhenIdle(service, { after: 10 })).toThrow(expect.objectContaining({ name: 'AuthError', code: 'invalid_config' }));
  });

  it('does nothing, and throws nothing, for the client created where there is no browser (server-side rendering)', async () => {
    vi.stubGlobal('document', undefined);
    const onIdle = vi.fn();
    watchers.push(signOutWhenIdle(createAuthClient(baseOptions()), { after: 1, onIdle }));
    vi.unstubAllGlobals();
    vi.useFakeTimers({ now: Date.now() });
    await seconds(5);
    expect(onIdle).not.toHaveBeenCalled();
  });
});

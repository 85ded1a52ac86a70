import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../src/errors.js';
import { backoff, createFailureMemory, createScheduler, renewalLead, type Scheduler } from '../../src/renewal.js';
import type { StoredSession } from '../../src/session.js';

const START = Date.parse('2030-01-01T00:00:00Z');
const MIN = 60_000;

/** A session received now that lives `lifetimeMs`. */
const sessionFor = (lifetimeMs: number): StoredSession => ({
  accessToken: `at-${Math.random()}`,
  tokenType: 'bearer',
  receivedAt: Date.now(),
  expiresAt: Date.now() + lifetimeMs,
  loginId: 'l',
  loginAt: START,
});

/**
 * A scheduler driving a fake client: `renew` by default stores a fresh session (a new cycle), as the client does;
 * a test can make it fail instead.
 */
function harness(o: { lifetimeMs?: number; lead?: number; automatic?: boolean } = {}) {
  const lifetimeMs = o.lifetimeMs ?? 10 * MIN;
  const failures = createFailureMemory();
  const h = {
    failures,
    current: sessionFor(lifetimeMs) as StoredSession | null,
    log: [] as { what: 'expiring' | 'expired' | 'renew'; at: number }[],
    failWith: [] as AuthError[],
    renew: vi.fn(async () => {
      h.log.push({ what: 'renew', at: Date.now() });
      const e = h.failWith.shift();
      // As the client does: a failure is recorded for the session the renewal was for.
      if (e) {
        failures.failed(h.current, e);
        throw e;
      }
      h.current = sessionFor(lifetimeMs);
      scheduler.check();
    }),
    times: (what: 'expiring' | 'expired' | 'renew') => h.log.filter((l) => l.what === what).map((l) => l.at),
    /** The scheduler reads the session once per check. */
    session: vi.fn(() => h.current),
  };
  const scheduler = createScheduler({
    session: h.session,
    automatic: o.automatic ?? true,
    lead: o.lead ?? MIN,
    failures,
    expiring: () => h.log.push({ what: 'expiring', at: Date.now() }),
    expired: () => h.log.push({ what: 'expired', at: Date.now() }),
    renew: h.renew,
  });
  schedulers.push(scheduler);
  return { h, scheduler };
}

const schedulers: Scheduler[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
  // No jitter: the renewal is due exactly `lead` before expiry; backoff takes its lower bound.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  for (const s of schedulers.splice(0)) s.dispose();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('RenewalScheduler', () => {
  it('fires expiring and renews once, `lead` before expiry', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    scheduler.check();
    await vi.advanceTimersByTimeAsync(9 * MIN - 1);
    expect(h.log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.log).toEqual([
      { what: 'expiring', at: START + 9 * MIN },
      { what: 'renew', at: START + 9 * MIN },
    ]);
  });

  it('does not renew again until the new session is due', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    scheduler.check();
    await vi.advanceTimersByTimeAsync(9 * MIN);
    expect(h.renew).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(9 * MIN - 1);
    expect(h.renew).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.renew).toHaveBeenCalledTimes(2);
    expect(h.times('expiring')).toEqual([START + 9 * MIN, START + 18 * MIN]);
  });

  it('clamps the lead to half the token lifetime', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 60_000, lead: 5 * MIN });
    scheduler.check();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(h.renew).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(h.times('renew')).toEqual([START + 30_000]);
  });

  it('spreads renewals by up to 10 % of the lead earlier', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    scheduler.check();
    await vi.advanceTimersByTimeAsync(10 * MIN);
    const [at] = h.times('renew');
    expect(at).toBeGreaterThanOrEqual(START + 9 * MIN - 6_000);
    expect(at).toBeLessThan(START + 9 * MIN);
  });

  it('fires expiring and expired, but never renews, with automatic renewal off', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN, automatic: false });
    scheduler.check();
    await vi.advanceTimersByTimeAsync(20 * MIN);
    expect(h.log).toEqual([
      { what: 'expiring', at: START + 9 * MIN },
      { what: 'expired', at: START + 10 * MIN },
    ]);
  });

  it('fires expired once, at expiry, when no renewal replaces the session', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    h.failWith.push(new AuthError('login_required'));
    scheduler.check();
    await vi.advanceTimersByTimeAsync(10 * MIN - 1);
    expect(h.times('expired')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.times('expired')).toEqual([START + 10 * MIN]);
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(h.times('expired')).toHaveLength(1);
  });

  it('stops retrying after login_required (the user has to act)', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    h.failWith.push(new AuthError('login_required'));
    scheduler.check();
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(h.renew).toHaveBeenCalledTimes(1);
    window.dispatchEvent(new Event('online'));
    window.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(MIN);
    expect(h.renew).toHaveBeenCalledTimes(1);
  });

  it('retries a transient failure with a growing backoff, then stops once renewed', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 60 * MIN, lead: 5 * MIN });
    h.failWith.push(new AuthError('network'), new AuthError('timeout'), new AuthError('network'), new AuthError('temporarily_unavailable'));
    scheduler.check();
    await vi.advanceTimersByTimeAsync(56 * MIN);
    const renewals = h.times('renew');
    expect(renewals).toHaveLength(5);
    const gaps = renewals.slice(1).map((t, i) => t - renewals[i]!);
    expect(gaps).toEqual([500, 1000, 2000, 4000]);
    expect(h.times('expiring')).toHaveLength(1);
  });

  it('retries a transient failure again and again while the token lives, never more than half its remaining time apart', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    h.failWith.push(...Array.from({ length: 50 }, () => new AuthError('network')));
    scheduler.check();
    await vi.advanceTimersByTimeAsync(10 * MIN - 1);
    const renewals = h.times('renew');
    expect(renewals.length).toBeGreaterThan(6);
    for (let i = 1; i < renewals.length; i++) {
      const left = START + 10 * MIN - renewals[i - 1]!;
      expect(renewals[i]! - renewals[i - 1]!).toBeLessThanOrEqual(Math.max(500, Math.ceil(left / 2)));
    }
  });

  it.each([
    ['visibilitychange', () => document.dispatchEvent(new Event('visibilitychange', { bubbles: true }))],
    ['focus', () => window.dispatchEvent(new Event('focus'))],
    ['online', () => window.dispatchEvent(new Event('online'))],
    ['pageshow', () => window.dispatchEvent(new Event('pageshow'))],
  ])('checks at once on %s after the computer slept past the renewal time', async (_name, wake) => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    scheduler.check();
    // Asleep: the clock jumps, but no timer runs.
    vi.setSystemTime(START + 20 * MIN);
    expect(h.log).toEqual([]);
    wake();
    expect(h.log).toEqual([
      { what: 'expired', at: START + 20 * MIN },
      { what: 'expiring', at: START + 20 * MIN },
      { what: 'renew', at: START + 20 * MIN },
    ]);
  });

  it('retries at once when the browser comes back online, instead of waiting out the backoff', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 60 * MIN, lead: 5 * MIN });
    h.failWith.push(new AuthError('network'), new AuthError('network'), new AuthError('network'));
    scheduler.check();
    await vi.advanceTimersByTimeAsync(55 * MIN + 1_500);
    expect(h.renew).toHaveBeenCalledTimes(3);
    // The next retry is 2 s away; coming online does not wait for it.
    window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.renew).toHaveBeenCalledTimes(4);
    expect(h.times('renew').at(-1)).toBe(START + 55 * MIN + 1_500);
  });

  it('does not start a second renewal while one is running', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    let finish!: () => void;
    h.renew.mockImplementationOnce(() => new Promise<void>((r) => (finish = r)));
    scheduler.check();
    await vi.advanceTimersByTimeAsync(9 * MIN);
    window.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.renew).toHaveBeenCalledTimes(1);
    h.current = sessionFor(10 * MIN);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.renew).toHaveBeenCalledTimes(1);
  });

  it('starts a new cycle for a new session: expiring fires again, a stopped renewal resumes', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    h.failWith.push(new AuthError('login_required'));
    scheduler.check();
    await vi.advanceTimersByTimeAsync(9 * MIN + 1);
    expect(h.renew).toHaveBeenCalledTimes(1);
    // The user logs in again: a new session object.
    h.current = sessionFor(10 * MIN);
    scheduler.check();
    await vi.advanceTimersByTimeAsync(9 * MIN);
    expect(h.renew).toHaveBeenCalledTimes(2);
    expect(h.times('expiring')).toHaveLength(2);
  });

  it('does nothing without a session', async () => {
    const { h, scheduler } = harness();
    h.current = null;
    scheduler.check();
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(h.log).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-checks at least every 30 s, so a throttled tab does not rely on one long timer', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 60 * MIN, lead: MIN });
    scheduler.check();
    const checks = () => h.session.mock.calls.length;
    expect(checks()).toBe(1);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(checks()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(checks()).toBe(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(checks()).toBe(3);
  });

  it('dispose() removes its timer and wake listeners: nothing fires, nothing renews afterwards', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    scheduler.check();
    expect(vi.getTimerCount()).toBe(1);
    scheduler.dispose();
    expect(vi.getTimerCount()).toBe(0);
    vi.setSystemTime(START + 20 * MIN);
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    for (const t of ['focus', 'online', 'pageshow']) window.dispatchEvent(new Event(t));
    scheduler.check();
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(h.log).toEqual([]);
  });

  it('dispose() during a renewal: its end schedules nothing more', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 10 * MIN, lead: MIN });
    let fail!: (e: AuthError) => void;
    h.renew.mockImplementationOnce(() => new Promise<void>((_, reject) => (fail = reject)));
    scheduler.check();
    await vi.advanceTimersByTimeAsync(9 * MIN);
    scheduler.dispose();
    fail(new AuthError('network'));
    await vi.advanceTimersByTimeAsync(60 * MIN);
    expect(h.renew).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a provider that answers expires_in: 0', () => {
  it('gets one renewal every two seconds, not a storm', async () => {
    const { h, scheduler } = harness({ lifetimeMs: 0 });
    scheduler.check();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.times('renew')).toEqual([2, 4, 6, 8, 10].map((s) => START + s * 1000));
  });
});

describe('createFailureMemory', () => {
  const s1 = sessionFor(10 * MIN);
  const s2 = sessionFor(10 * MIN);

  it('holds a transient failure for its backoff, then lets the next attempt through', () => {
    const m = createFailureMemory();
    m.failed(s1, new AuthError('network'));
    expect(m.holding(s1)?.code).toBe('network');
    vi.advanceTimersByTime(m.retryAt(s1) - Date.now());
    expect(m.holding(s1)).toBeUndefined();
  });

  it('holds any other failure until a new session', () => {
    const m = createFailureMemory();
    m.failed(s1, new AuthError('login_required'));
    vi.advanceTimersByTime(24 * 60 * MIN);
    expect(m.holding(s1)?.code).toBe('login_required');
    expect(m.retryAt(s1)).toBe(Infinity);
    expect(m.holding(s2)).toBeUndefined();
  });

  it('grows the backoff with each failure of one session, and ends it when the browser is back online', () => {
    const m = createFailureMemory();
    m.failed(s1, new AuthError('timeout'));
    const first = m.retryAt(s1) - Date.now();
    m.failed(s1, new AuthError('timeout'));
    expect(m.retryAt(s1) - Date.now()).toBe(2 * first);
    m.online();
    expect(m.holding(s1)).toBeUndefined();
  });
});

describe('renewalLead', () => {
  const s = (lifetimeMs: number): StoredSession => ({
    accessToken: 'a',
    tokenType: 'bearer',
    receivedAt: 0,
    expiresAt: lifetimeMs,
    loginId: 'l',
    loginAt: 0,
  });
  it('is the configured lead, at most half the lifetime', () => {
    expect(renewalLead(s(3_600_000), 60_000)).toBe(60_000);
    expect(renewalLead(s(60_000), 60_000)).toBe(30_000);
    expect(renewalLead(s(3_600_000), 0)).toBe(0);
  });
});

describe('backoff', () => {
  it('doubles from about a second, with jitter between half and all of it', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect([1, 2, 3, 4].map((n) => backoff(n, 3_600_000))).toEqual([500, 1000, 2000, 4000]);
    vi.spyOn(Math, 'random').mockReturnValue(1);
    expect([1, 2, 3, 4].map((n) => backoff(n, 3_600_000))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('is at most a minute', () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    expect(backoff(30, 3_600_000)).toBe(60_000);
  });

  it('never waits past half the time the token has left, nor less than half a second', () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    expect(backoff(10, 20_000)).toBe(10_000);
    expect(backoff(10, 400)).toBe(500);
  });

  it('keeps backing off after expiry', () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    expect(backoff(3, -5_000)).toBe(4_000);
  });
});

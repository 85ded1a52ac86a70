// @vitest-environment node
/**
 * The idle clock (src/idle-logic.ts) on its own: no browser, no timers. The clock is a number the test moves; the
 * "timer" is the time the logic last asked to be woken at, run by `until`.
 */
import { describe, expect, it } from 'vitest';
import { idleLogic } from '../../src/idle-logic.js';

const S = 1000;

/** An idle clock of `after` s with a `countdown` of s, signed in at 0, and what it asked its wiring to do. */
function clock(after = 10, countdown = 3, signedIn = true) {
  const w = { t: 0, stored: 0, wakeAt: Infinity, told: [] as (number | 'active')[], shared: [] as number[], idle: [] as number[] };
  const logic = idleLogic(after * S, countdown * S, {
    now: () => w.t,
    stored: () => w.stored,
    wake: (ms) => {
      w.wakeAt = w.t + ms;
    },
    // As localStorage does: this tab reads back what it shared.
    share: (at) => {
      w.shared.push(at);
      w.stored = at;
    },
    countdown: (left) => w.told.push(left),
    active: () => w.told.push('active'),
    idle: (at) => w.idle.push(at),
  });
  /** Moves the clock to `to` (s), waking the logic whenever it asked to be. */
  const until = (to: number) => {
    for (let n = 0; w.wakeAt <= to * S; n++) {
      if (n > 1000) throw new Error('the logic keeps asking to be woken at once');
      w.t = w.wakeAt;
      logic.look();
    }
    w.t = to * S;
  };
  /** The user does something at `at` (s). */
  const act = (at: number) => {
    until(at);
    logic.activity();
  };
  /** The time is up at `s` (s), not a moment before, for the activity at `activity` (s). */
  const upAt = (s: number, activity: number) => {
    const before = w.idle.length;
    until(s - 0.1);
    expect(w.idle).toHaveLength(before);
    until(s);
    expect(w.idle.slice(before)).toEqual([activity * S]);
  };
  if (signedIn) logic.session(true);
  return { w, logic, until, act, upAt };
}

describe('idleLogic()', () => {
  it('counts down the last seconds, once a second, then says the time is up for the last activity', () => {
    const { w, until } = clock();
    until(6.9);
    expect(w.told).toEqual([]);
    until(9.9);
    expect(w.told).toEqual([3, 2, 1]);
    expect(w.idle).toEqual([]);
    until(10);
    expect(w.idle).toEqual([0]);
    // Nothing more to look at until something happens.
    expect(w.wakeAt).toBe(Infinity);
  });

  it('tells each second of the countdown once, however often it is looked at (the page shown again)', () => {
    const { w, logic, until } = clock();
    until(7);
    for (const t of [7.1, 7.4, 7.9]) {
      w.t = t * S;
      logic.look();
    }
    until(8.5);
    expect(w.told).toEqual([3, 2]);
  });

  it('activity during the countdown ends it (active), and the time counts from it', () => {
    const { w, act, upAt } = clock();
    act(8.5);
    expect(w.told).toEqual([3, 2, 'active']);
    upAt(18.5, 8.5);
  });

  it("another tab's activity, stored or heard, ends the countdown and moves the deadline", () => {
    const { w, logic, until, upAt } = clock();
    until(8);
    logic.look(7.5 * S);
    expect(w.told).toEqual([3, 2, 'active']);
    until(16);
    w.stored = 16 * S;
    logic.look();
    upAt(26, 16);
  });

  it('shares activity at most once a second, and the last of a burst a second later at most', () => {
    const { w, act, until } = clock();
    // The login's activity, at 0.
    expect(w.shared).toEqual([0]);
    for (let t = 2; t < 4; t += 0.1) act(Math.round(t * 10) / 10);
    expect(w.shared).toEqual([0, 2 * S, 3 * S]);
    until(4.9);
    // The last of the burst (3.9), held back, then shared.
    expect(w.shared).toEqual([0, 2 * S, 3 * S, 3.9 * S]);
  });

  it('a move when the computer wakes from a sleep past the deadline is no activity: the time is up', () => {
    const { w, logic } = clock();
    // Asleep: no timer ran. The first thing the page sees on waking is the user's move.
    w.t = 3600 * S;
    logic.activity();
    expect(w.idle).toEqual([0]);
    expect(w.shared).toEqual([0]);
  });

  it('a last activity in the future (a clock set back) counts as now, and is shared so', () => {
    const { w, logic, until, upAt } = clock(10, 3, false);
    until(7200);
    logic.session(true);
    // Set back by an hour: the login's activity is in the future now.
    w.t = 3600 * S;
    logic.look();
    expect(w.shared).toEqual([7200 * S, 3600 * S]);
    upAt(3610, 3600);
  });

  it('counts only while signed in: activity is still shared, a login starts the clock, a logout ends the countdown', () => {
    const { w, logic, act, until } = clock(10, 3, false);
    w.stored = -86_400 * S;
    act(5);
    expect([w.shared, w.wakeAt]).toEqual([[5 * S], Infinity]);
    until(100);
    logic.session(true);
    // An old stamp (yesterday) does not sign out a login that starts now.
    until(107.5);
    expect([w.told, w.idle]).toEqual([[3], []]);
    logic.session(false);
    expect(w.told).toEqual([3, 'active']);
    until(1000);
    expect([w.idle, w.wakeAt]).toEqual([[], Infinity]);
  });

  describe('claim()', () => {
    it('is refused when another tab holds the claim, or claimed this period (knowing an earlier activity); the countdown ends', () => {
      const { w, logic, until } = clock();
      until(10);
      expect(logic.claim(0, Number.NaN, null)).toBe(false);
      expect(w.told).toEqual([3, 2, 1, 'active']);
      expect(logic.claim(0, -0.5 * S, true)).toBe(false);
    });

    it('is refused after activity, or a logout, while it waited', () => {
      const a = clock();
      a.until(10);
      a.act(10.2);
      expect(a.logic.claim(0, 0, true)).toBe(false);
      const b = clock();
      b.until(10);
      b.logic.session(false);
      expect(b.logic.claim(0, 0, true)).toBe(false);
    });

    it('taken: its own idle action (the logout) is no "stay signed in"; a new login starts a new period', () => {
      const { w, logic, until } = clock();
      until(10);
      // The last claim is from an earlier period.
      expect(logic.claim(0, -60 * S, true)).toBe(true);
      logic.session(false);
      expect(w.told).toEqual([3, 2, 1]);
      until(100);
      logic.session(true);
      until(110);
      expect(w.idle).toEqual([0, 100 * S]);
    });

    it('taken by an idle action that keeps the session (a lock screen): nothing until the user comes back', () => {
      const { w, logic, act, until } = clock(10, 1);
      until(10);
      expect(logic.claim(0, -60 * S, true)).toBe(true);
      until(500);
      expect([w.idle, w.wakeAt]).toEqual([[0], Infinity]);
      act(600);
      until(610);
      // A one-second countdown again, for the new period.
      expect(w.told).toEqual([1, 1]);
      expect(w.idle).toEqual([0, 600 * S]);
    });
  });
});

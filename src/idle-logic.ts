// What idle sign-out decides (idle.ts carries it out): when the time is up, when to count down, when to tell the other
// tabs of activity. No DOM, no timers, no storage of its own: the clock and the activity the other tabs shared are read
// through `IdleWiring`, events come in as calls, and what is to be done goes out through `IdleWiring`. Its unit tests
// drive it with a clock that is a plain number.

/** What the idle logic reads from its wiring (idle.ts: the browser), and what it asks of it. */
export interface IdleWiring {
  /** The wall clock, ms since the epoch: a computer that slept past the deadline signs out as soon as it wakes. */
  now(): number;
  /** The last activity the other tabs shared (ms since the epoch; 0 for none). */
  stored(): number;
  /** Call `look` in `ms` (replacing the last such request); `Infinity`: no call is needed. */
  wake(ms: number): void;
  /** Tell the other tabs that the last activity was at `at`. */
  share(at: number): void;
  /** A second of the countdown: `secondsLeft` (the app's `onCountdown`). */
  countdown(secondsLeft: number): void;
  /** A countdown ended other than by this tab's idle action (the app's `onActive`). */
  active(): void;
  /** The time is up for the activity at `at`: claim it (`claim`), and act if it is this tab's. */
  idle(at: number): void;
}

/** The idle clock of one tab: its inputs. Each may call back into its wiring, synchronously. */
export interface IdleLogic {
  /**
   * The client's session came (a new login, or the one there was at start) or went (a logout anywhere). A new login
   * is activity (a renewal is not: it happens without the user), and so is opening a page of the app: an activity
   * stamp left from before (yesterday's session) must not sign the user out the moment it starts.
   */
  session(signedIn: boolean): void;
  /** The user did something in this tab (or the app said so: `reset()`). */
  activity(): void;
  /**
   * Looks at the clock: when asked to (`wake`), when another tab shared activity (`heard`, where the wiring got it
   * other than through `stored`), or when the page is shown again.
   */
  look(heard?: number): void;
  /**
   * Whether this tab acts on the time being up for the activity at `at`: not if it is signed out or active again
   * meanwhile, if another tab claimed this period already (`fired`: the last claim's `at`; a claim within `after` of
   * `at` is this period's, as tabs may disagree on its start by an activity not yet shared), or holds the claim now
   * (`free` falsy). A claim taken ends the countdown without `active`: its own idle action is no "stay signed in".
   */
  claim(at: number, fired: number, free: unknown): boolean;
}

/** Activity is shared with the other tabs at most this often: moving the mouse does not hammer localStorage. */
export const SHARE_EVERY_MS = 1_000;

/** The idle clock: time is up after `afterMs` without activity; the last `countdownMs` are counted down each second. */
export function idleLogic(afterMs: number, countdownMs: number, io: IdleWiring): IdleLogic {
  let signedIn = false;
  // The seconds left last told to the app (one call per second, however often the clock is looked at); 0: none.
  let told = 0;
  // The last activity in any tab, and when this tab last shared one.
  let last = 0;
  let shared = -Infinity;
  // When the clock is looked at next (never once the time is up, or signed out), and when a held-back activity is
  // shared: the last one of a burst, less than a second after the one before.
  let lookAt = Infinity;
  let shareAt = Infinity;
  const wake = (now: number) => io.wake(Math.min(lookAt, shareAt) - now);
  const share = (now: number) => {
    shareAt = Infinity;
    shared = now;
    io.share(last);
  };
  // A last activity in the future (a clock set back) counts as now, and is shared so: kept, it would count as now on
  // every look until the clock caught up, turning idle sign-out off for that long.
  const idleAt = (now: number, heard = 0) => {
    last = Math.max(last, io.stored(), heard);
    if (last > now) {
      last = now;
      share(now);
    }
    return last + afterMs;
  };
  /** The countdown is over, and not by this tab's idle action: the app hides its warning. */
  const end = () => {
    if (told) io.active();
    told = 0;
  };
  const look = (heard?: number) => {
    const now = io.now();
    if (shareAt <= now) share(now);
    lookAt = Infinity;
    const left = signedIn ? idleAt(now, heard) - now : Infinity;
    if (left > countdownMs) {
      end();
      if (signedIn) lookAt = now + left - countdownMs;
    } else if (left > 0) {
      const seconds = Math.ceil(left / 1000);
      if (seconds !== told) io.countdown(seconds);
      told = seconds;
      lookAt = now + (left % 1000 || 1000);
    }
    wake(now);
    if (left <= 0) io.idle(last);
  };
  const activity = () => {
    const now = io.now();
    // A computer that slept past the deadline: the move that wakes it may come before the timer, and is no activity.
    if (lookAt < Infinity && now >= idleAt(now)) return look();
    last = now;
    // At most once a second, and the last activity of a burst too: no other tab may sign out before this one would.
    if (now - shared >= SHARE_EVERY_MS) share(now);
    else shareAt = Math.min(shareAt, now + SHARE_EVERY_MS);
    // A countdown ends here (the other tabs end theirs when they hear of it). Once the time was up and the idle action
    // kept the session (a lock screen), or another tab ran it, no look is set: activity starts the next period.
    if (told || lookAt === Infinity) look();
    else wake(now);
  };
  return {
    session(on) {
      if (on === signedIn) return;
      signedIn = on;
      if (on) activity();
      else look();
    },
    activity,
    look,
    claim(at, fired, free) {
      const now = io.now();
      if (!free || !signedIn || idleAt(now) > now || Math.abs(fired - at) < afterMs) {
        end();
        return false;
      }
      told = 0;
      return true;
    },
  };
}

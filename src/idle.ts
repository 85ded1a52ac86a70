// Idle sign-out, its own entry point: `connect-pkce/idle`. The browser's side of it: listeners, the one timer, the
// activity shared through localStorage and a BroadcastChannel, the Web Lock that lets one tab act. What it all means
// (idle or not, countdown, when to share) is idle-logic.ts. Built on the client's state and `logout()`; from the
// internals only the key that names the app's session, the logger, the state and the client's lifetime.
import { addOnInternals } from './add-on.js';
import { type AuthClient, AuthError } from './index.js';
import { idleLogic } from './idle-logic.js';

/** Options of {@link signOutWhenIdle}. */
export interface IdleOptions {
  /** Seconds without user activity in every tab of the app, after which the user is signed out. */
  after: number;
  /** The last seconds of `after`, in which `onCountdown` tells every second how many are left. Default 60 (at most `after`). */
  countdown?: number | undefined;
  /** Called every second of the countdown, in every tab, with the seconds left (`countdown` … 1). */
  onCountdown?: ((secondsLeft: number) => void) | undefined;
  /**
   * A countdown ended other than by this tab's `onIdle`: activity in some tab, a logout, another tab's `onIdle`. Time
   * to hide the warning.
   */
  onActive?: (() => void) | undefined;
  /** What happens once the time is up, in one tab only. Default: `client.logout()`, which signs out every tab. */
  onIdle?: (() => unknown) | undefined;
}

/** A running idle sign-out: see {@link signOutWhenIdle}. */
export interface IdleSignOut {
  /** Counts as activity now, in every tab: e.g. the countdown's "Stay signed in" button (a click counts anyway). */
  reset(): void;
  /** Removes its timer and listeners. */
  dispose(): void;
}

/**
 * What counts as the user being there, when the browser says the user did it (`isTrusted`): no `scroll`, which a
 * page that scrolls itself (a live log, a chat) fires too; wheel, touch and keys cover the user's own scrolling.
 * Listened to in the capture phase, passively.
 */
const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'];

/**
 * Signs the user out after `after` seconds without activity (the user's own pointer, keys, wheel or touch; not
 * events a script dispatches) in any tab of the app, sharing the last activity across tabs through a
 * BroadcastChannel and localStorage: activity in one tab keeps every tab signed in, even where localStorage is full.
 * During the last `countdown` seconds `onCountdown` runs every second in every tab; then one tab runs `onIdle`
 * (default `logout()`). Only while signed in; a new login, and opening a page of the app, count as activity. It
 * does nothing in a page the SDK itself loaded (its hidden renewal iframe or its popup, where an app whose silent
 * redirect URI is one of its own routes boots too), and stops when the client is disposed. The time is wall-clock
 * time, so a computer that slept past the deadline signs out as soon as it wakes. Throws
 * `AuthError('invalid_config')` for an `after` or `countdown` that is not a number of seconds that fits, or for a
 * `client` that `createAuthClient` did not return. Its own entry point: apps that do not import it ship none of it.
 */
export function signOutWhenIdle(client: AuthClient, o: IdleOptions): IdleSignOut {
  const countdown = o.countdown ?? Math.min(60, o.after);
  if (!(o.after > 0 && o.after < 2 ** 31 / 1000 && countdown >= 0 && countdown <= o.after))
    throw new AuthError('invalid_config', 'signOutWhenIdle: `after` must be a positive number of seconds, `countdown` between 0 and `after`');
  const inner = addOnInternals(client, 'signOutWhenIdle');
  const handle = { reset: () => {}, dispose: () => {} };
  // Nothing to watch where there is no browser, for a disposed client, or in the SDK's own iframe or popup: an app
  // booting there on a background renewal is no user at work.
  if (!inner) return handle;
  const c = inner.config;
  const key = `${c.key}:active`;
  const firedKey = `${c.key}:idle`;
  // Activity reaches the running tabs on this channel too: where a localStorage write fails (quota full), another tab
  // would sign out a user who is working here.
  const channel = new BroadcastChannel(key);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Aborted on dispose: every listener goes with it.
  const off = new AbortController();
  const { signal } = off;

  /** Time is up for the activity at `at`: one tab (the first to claim it) acts; the others hear the logout. */
  const fire = (at: number) => {
    const claim = async (free: unknown) => {
      // Disposed while waiting for the lock: an unmounted app, or a client that is gone, does nothing.
      if (signal.aborted || !logic.claim(at, local(firedKey), free)) return;
      local(firedKey, at);
      c.log({ step: 'idle', after: o.after });
      await (o.onIdle ?? (() => client.logout()))();
    };
    const { locks } = navigator;
    (locks ? locks.request(firedKey, { ifAvailable: true }, claim) : claim(1)).catch(rethrow);
  };
  const logic = idleLogic(o.after * 1000, countdown * 1000, {
    now: () => Date.now(),
    stored: () => local(key),
    wake(ms) {
      clearTimeout(timer);
      if (ms < Infinity) timer = setTimeout(logic.look, ms);
    },
    share(at) {
      local(key, at);
      channel.postMessage(at);
    },
    countdown: (left) => call(o.onCountdown, left),
    active: () => call(o.onActive),
    idle: fire,
  });

  const listen = { capture: true, passive: true, signal };
  for (const type of ACTIVITY) addEventListener(type, (e) => e.isTrusted && logic.activity(), listen);
  addEventListener('storage', (e) => e.key === key && logic.look(), listen);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && logic.look(), listen);
  // Another tab's activity, also where its localStorage write failed (quota full).
  channel.onmessage = ({ data }) => logic.look(Number(data) || 0);
  // The session comes (a login, or the stored one once read) or goes (a logout anywhere): the client's state says.
  const session = () => logic.session(!!inner.source().current);
  signal.addEventListener('abort', inner.watch(session));
  session();

  handle.reset = logic.activity;
  handle.dispose = () => {
    off.abort();
    clearTimeout(timer);
    channel.close();
  };
  // A disposed client (a route change, HMR) takes its watcher with it: no countdown for an unmounted app, no
  // logout through a client that is gone.
  inner.signal.addEventListener('abort', handle.dispose, { signal });
  return handle;
}

/**
 * Reads (without `value`) or writes a time in localStorage, where it works. A write that fails (quota full) loses
 * nothing: the logic keeps the last activity, and the channel carries it to the other tabs. It leaves no older value
 * behind either: one from before the clock was set back would count as now on every look.
 */
function local(key: string, value?: number): number {
  try {
    if (value === undefined) return Number(localStorage.getItem(key)) || 0;
    localStorage.removeItem(key);
    localStorage.setItem(key, String(value));
  } catch {}
  return 0;
}

/** Calls one of the app's callbacks: an exception in it is reported, and stops nothing here. */
function call(f: ((n: number) => unknown) | undefined, n = 0) {
  try {
    f?.(n);
  } catch (e) {
    rethrow(e);
  }
}

const rethrow = (e: unknown) =>
  queueMicrotask(() => {
    throw e;
  });

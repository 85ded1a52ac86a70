// Idle sign-out, its own entry point: `connect-pkce/idle`. Built on the client's session events and `logout()`;
// from the internals only the key that names the app's session, the logger and the client's lifetime.
import { addOnInternals } from './add-on.js';
import { type AuthClient, AuthError } from './index.js';
import { webStore } from './storage.js';

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
/** Activity is written for the other tabs at most this often: moving the mouse does not hammer localStorage. */
const WRITE_EVERY_MS = 1_000;

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
  const store = webStore('local');
  const key = `${c.key}:active`;
  const firedKey = `${c.key}:idle`;
  const stored = () => Number(store.get(key)) || 0;
  // Activity reaches the running tabs on this channel too: a localStorage write that fails (quota full) would keep
  // it in this tab's memory, and another tab would sign out a user who is working here.
  const channel = new BroadcastChannel(key);

  let signedIn = false;
  let disposed = false;
  let counting = false;
  let written = 0;
  // The write of the last activity of a burst, less than a second after the one before.
  let pending: ReturnType<typeof setTimeout> | undefined;
  // The next look at the clock; none once the time is up (or signed out).
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The last activity in any tab, ms.
  let last = 0;
  /** Tells the other tabs of the last activity. */
  const share = () => {
    clearTimeout(pending);
    pending = undefined;
    written = Date.now();
    store.set(key, String(last));
    channel.postMessage(last);
  };
  // A last activity in the future (a clock set back) counts as now, and is stored so: kept, it would count as now on
  // every look until the clock caught up, turning idle sign-out off for that long.
  const lastActivity = () => {
    const now = Date.now();
    last = Math.max(last, stored());
    if (last > now) {
      last = now;
      share();
    }
    return last;
  };

  const call = (f: ((n: number) => unknown) | undefined, n = 0) => {
    try {
      f?.(n);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  };

  /** The countdown is over, and not by this tab's onIdle: the app hides its warning. */
  const end = () => {
    if (counting) call(o.onActive);
    counting = false;
  };

  /** Looks at the clock and the last activity, tells the app, and sets the next look. */
  const plan = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!signedIn) return;
    const now = Date.now();
    const idleAt = lastActivity() + o.after * 1000;
    const left = idleAt - now;
    if (left <= 0) return void fire(last);
    if (left <= countdown * 1000) {
      counting = true;
      call(o.onCountdown, Math.ceil(left / 1000));
      timer = setTimeout(plan, left % 1000 || 1000);
      return;
    }
    end();
    timer = setTimeout(plan, left - countdown * 1000);
  };

  /** Time is up for the activity at `at`: one tab (the first to claim it) acts; the others hear the logout. */
  const fire = async (at: number) => {
    const claim = async () => {
      // Signed out (or disposed), or active again, while waiting for the lock: nothing left to do. A claim within
      // `after` of `at` is this period's: tabs may disagree on its start by an activity not yet shared.
      if (!signedIn || lastActivity() + o.after * 1000 > Date.now() || Math.abs(Number(store.get(firedKey)) - at) < o.after * 1000)
        return end();
      store.set(firedKey, String(at));
      counting = false;
      c.log({ step: 'idle', after: o.after });
      await (o.onIdle ?? (() => client.logout()))();
    };
    const locks = typeof navigator === 'object' ? navigator.locks : undefined;
    try {
      await (locks ? locks.request(firedKey, { ifAvailable: true }, (free) => (free ? claim() : end())) : claim());
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  };

  const active = () => {
    const now = Date.now();
    // A computer that slept past the deadline: the move that wakes it may come before the timer, and is no activity.
    if (timer && now >= lastActivity() + o.after * 1000) return void plan();
    last = now;
    // At most once a second, and the last activity of a burst too: no other tab may sign out before this one would.
    if (now - written >= WRITE_EVERY_MS) share();
    else pending ??= setTimeout(share, WRITE_EVERY_MS);
    // A countdown ends here (the other tabs end theirs on the storage event); once the time was up and onIdle kept the
    // session (a lock screen), or another tab ran it, no look is set: activity starts the next period.
    if (counting || !timer) plan();
  };
  const onInput = (e: Event) => e.isTrusted && active();
  const onStorage = (e: StorageEvent) => e.key === key && plan();
  const onVisible = () => document.visibilityState === 'visible' && plan();
  channel.onmessage = ({ data }) => {
    last = Math.max(last, Number(data) || 0);
    plan();
  };
  const listen = { capture: true, passive: true };
  for (const type of ACTIVITY) addEventListener(type, onInput, listen);
  addEventListener('storage', onStorage);
  document.addEventListener('visibilitychange', onVisible);

  const off = [
    client.on('token', () => {
      // A new login is activity; a renewal is not (it happens without the user).
      if (!signedIn) {
        signedIn = true;
        active();
        plan();
      }
    }),
    client.on('logout', () => {
      signedIn = false;
      end();
      clearTimeout(timer);
      timer = undefined;
    }),
  ];
  void client.getSession().then((s) => {
    if (!s || signedIn || disposed) return;
    signedIn = true;
    // Opening a page of the app is activity: an activity stamp left from before (a login on the callback page
    // before this started, yesterday's session) must not sign the user out the moment the app starts.
    active();
    plan();
  });

  handle.reset = () => {
    active();
    plan();
  };
  handle.dispose = () => {
    disposed = true;
    signedIn = false;
    clearTimeout(timer);
    clearTimeout(pending);
    for (const type of ACTIVITY) removeEventListener(type, onInput, listen);
    removeEventListener('storage', onStorage);
    document.removeEventListener('visibilitychange', onVisible);
    channel.close();
    inner.signal.removeEventListener('abort', handle.dispose);
    for (const f of off) f();
  };
  // A disposed client (a route change, HMR) takes its watcher with it: no countdown for an unmounted app, no
  // logout through a client that is gone.
  inner.signal.addEventListener('abort', handle.dispose);
  return handle;
}

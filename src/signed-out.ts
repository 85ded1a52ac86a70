import type { LoginRef } from './session.js';
import { webStore } from './storage.js';

/**
 * The logout marker: when this app was last signed out, kept in localStorage whatever the session storage is, so
 * that it outlives the tab that wrote it. A tab that was not running at the logout (navigated away, discarded,
 * in the back/forward cache, with its own copy of the session in sessionStorage) finds it when it comes back, and
 * every session from a login made before it is refused: on start-up, from another tab, from a renewal that was
 * still running. Silent renewals without a session refuse too, so a live provider session cannot sign the user
 * back in; only `login()` can. It holds a time, nothing secret.
 */
export interface SignedOut {
  /**
   * Whether `s` belongs to a login made before the last logout, or before the newest login of its session key (an
   * account switch in another tab while this one was not running: its stored copy is the previous user's).
   */
  refuses(s: LoginRef): boolean;
  /** Whether the last thing that happened here was a logout (no login completed since). */
  readonly marked: boolean;
  /**
   * Records a logout: now (and after the login being ended, even if the clock went back since it), or at the time
   * another tab's logout message names. Returns its time.
   */
  mark(at?: number, ending?: LoginRef | null): number;
  /** Records that a login completed: silent sign-in and `restore()` are allowed again; older logins are refused. */
  loggedIn(s: LoginRef): void;
  /** The time a new login made now gets: after the marker even if the clock went back since the logout. */
  loginTime(): number;
  /**
   * Calls `fn` whenever a logout may have been missed: another tab recorded one (the `storage` event also reaches
   * tabs that share nothing else), or this page comes back from the back/forward cache, unfreezes or is shown.
   * The function it returns stops that and lets go of this tab's logout lock.
   */
  watch(fn: () => void): () => void;
  /**
   * Runs `fn` in this app's turn: the commits and logouts of all its tabs one at a time (a Web Lock), after taking
   * the newest logout that a tab holds a lock for. Without Web Locks it runs `fn` at once.
   */
  inTurn<T>(fn: () => Promise<T>): Promise<T>;
  /** Holds this tab's logout at `at` as a Web Lock until the page goes or the client is disposed. */
  hold(at: number): Promise<void>;
}

/** `key` names the app (client and authority), `sessionKey` one of its sessions (scope, tenant, parameters). */
export function signedOutMarker(key: string, sessionKey: string): SignedOut {
  const store = webStore('local');
  const name = `${key}:signed-out`;
  // The newest login of this session key: a session from an earlier one was replaced in some tab.
  const newest = `${sessionKey}:login`;
  // The last marker this tab wrote or heard of: another tab's localStorage write may reach this one after its
  // logout message does.
  let known = 0;
  const at = () => Math.max(known, Number(store.get(name)) || 0);
  const lastLogin = () => Number(store.get(`${name}:login`)) || 0;
  // localStorage reaches other tabs a few ms late (Chromium carries a write to another renderer lazily), so a tab
  // could still store a renewed session just after another's logout. Web Locks live in the browser process and every
  // tab sees them at once: a logout holds a lock named after its marker, and commits and logouts take turns.
  const locks = typeof navigator === 'object' ? navigator.locks : undefined;
  const held = `${name}@`;
  let release = () => {};
  return {
    refuses: (s) => s.loginAt <= at() || s.loginAt < Number(store.get(newest)),
    get marked() {
      return at() > lastLogin();
    },
    mark(time, ending) {
      known = Math.max(at(), time ?? Math.max(Date.now(), at() + 1, (ending?.loginAt ?? 0) + 1));
      store.set(name, String(known));
      return known;
    },
    loginTime: () => Math.max(Date.now(), at() + 1),
    loggedIn(s) {
      store.set(`${name}:login`, String(Math.max(lastLogin(), s.loginAt)));
      store.set(newest, String(s.loginAt));
    },
    inTurn<T>(fn: () => Promise<T>): Promise<T> {
      let ran = false;
      const run = () => {
        ran = true;
        return fn();
      };
      // A page that may not use locks (an opaque origin: SecurityError) goes on without them, like a browser without.
      return locks
        ? (locks
            .request(`${name}:turn`, async () => {
              for (const l of (await locks.query()).held ?? [])
                if (l.name?.startsWith(held)) known = Math.max(known, Number(l.name.slice(held.length)) || 0);
              return run();
            })
            .catch((e) => (ran ? Promise.reject(e) : run())) as Promise<T>)
        : run();
    },
    hold: (time) =>
      new Promise((granted) => {
        release();
        locks
          ?.request(held + time, () => {
            granted();
            return new Promise<void>((r) => {
              release = r;
            });
          })
          .catch(granted) ?? granted();
      }),
    watch(fn) {
      const onStorage = (e: Event) => (e as StorageEvent).key === name && fn();
      // Where a tab that was not running may have missed a logout: back from the bfcache, unfrozen, shown again.
      const moments = [
        [window, 'storage', onStorage],
        [window, 'pageshow', fn],
        [document, 'resume', fn],
        [document, 'visibilitychange', fn],
      ] as const;
      for (const [target, type, f] of moments) target.addEventListener(type, f);
      return () => {
        for (const [target, type, f] of moments) target.removeEventListener(type, f);
        release();
      };
    },
  };
}

// The framework-neutral view of a client's sign-in, for UI bindings: one immutable snapshot and its subscribers, the
// way TanStack Query's observers expose a query to its React, Vue and Angular adapters. Its own export: an app that
// binds no framework to the state ships none of it.
import type { AuthClient } from './auth-client.js';
import type { AuthError } from './errors.js';
import { type Internals, internalsOf, type StateSource } from './internals.js';
import { publicSession, type Session, type StoredSession } from './session.js';
import type { SilentRenewal } from './silent-renewal.js';

/** `'loading'` until the client has read its stored session (or asked the other tabs); then signed in or out. */
export type AuthStatus = 'loading' | 'signed-in' | 'signed-out';

/**
 * What a UI needs to render the user's sign-in, as one immutable snapshot whose identity changes only when one of
 * its fields changes.
 */
export interface AuthState {
  readonly status: AuthStatus;
  /** The session, as `getSession()` gives it, or null. */
  readonly session: Session | null;
  /** How this client renews in this browser: see {@link SilentRenewal}. */
  readonly silentRenewal: SilentRenewal;
  /** The last failure (a renewal, a callback) since the last session arrived, or null. */
  readonly error: AuthError | null;
}

/** A client's sign-in state, synchronously and as it changes: see {@link observeAuth}. */
export interface AuthObserver {
  /** The current snapshot: the same object until something in it changes. */
  getState(): AuthState;
  /** Calls `listener` after every change of the snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Settles once start-up is done (`status` is no longer `'loading'`). */
  readonly ready: Promise<void>;
}

/** Where there is no browser: signed out for good, nothing to wait for or hold open. */
const SERVER: AuthObserver = {
  getState: () => SERVER_STATE,
  subscribe: () => () => {},
  ready: Promise.resolve(),
};
const SERVER_STATE: AuthState = { status: 'signed-out', session: null, silentRenewal: 'unknown', error: null };

const observers = new WeakMap<Internals, AuthObserver>();

/**
 * The sign-in state of `client` as one synchronous snapshot (`status`, `session`, `silentRenewal`, the last
 * `error`), its subscribers and `ready`: what a framework binds to (React's `useSyncExternalStore`, Angular signals,
 * Vue refs). Every session the client takes (a login, a renewal, another tab's, a logout anywhere) reaches it. One
 * observer per client, however often it is asked for. Where there is no browser (server-side rendering) the snapshot
 * is a constant signed-out one. Throws `AuthError('invalid_config')` for an object that is not a client of this SDK.
 */
export function observeAuth(client: AuthClient): AuthObserver {
  const inner = internalsOf(client, 'observeAuth');
  if (!inner) return SERVER;
  const observer = observers.get(inner) ?? createObserver(inner);
  observers.set(inner, observer);
  return observer;
}

function createObserver(inner: Internals): AuthObserver {
  // The public copy of a session is made once per session, so an unchanged session keeps its identity.
  let shown: [StoredSession | null, Session | null] = [null, null];
  let snapshot: AuthState | undefined;
  const read = (s: StateSource): AuthState => {
    if (shown[0] !== s.current) shown = [s.current, s.current && publicSession(s.current)];
    const next: AuthState = {
      status: !s.ready ? 'loading' : s.current ? 'signed-in' : 'signed-out',
      session: shown[1],
      silentRenewal: s.silentRenewal,
      error: s.error,
    };
    if (!snapshot || (Object.keys(next) as (keyof AuthState)[]).some((k) => next[k] !== snapshot?.[k])) snapshot = next;
    return snapshot;
  };
  return {
    getState: () => read(inner.source()),
    subscribe(listener) {
      let seen = read(inner.source());
      return inner.watch(() => {
        const now = read(inner.source());
        if (now !== seen) {
          seen = now;
          listener();
        }
      });
    },
    ready: inner.ready,
  };
}

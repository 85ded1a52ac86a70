// The app-wide sign-in service of the Angular binding: one client per app, created outside Angular's zone, its
// state fed into signals from the core's framework-neutral observer (`observeAuth`). No copy of the session here.
import { computed, type Signal, signal } from '@angular/core';
import {
  type AuthClient,
  AuthError,
  type AuthState,
  type AuthStatus,
  type LoginOptions,
  type LogoutOptions,
  loginWithPopup,
  observeAuth,
  type PopupOptions,
  renewWithPopup,
  type Session,
  type SilentRenewal,
} from '../index.js';

/**
 * The user's sign-in, as signals, and what to do about it: `inject(ConnectAuth)` in a component, guard or service.
 * `provideConnectAuth` provides it (one client per app); `provideConnectAuthTesting` provides a fake.
 */
export abstract class ConnectAuth {
  /** The underlying client (`null` on the server, and in `provideConnectAuthTesting`). */
  abstract readonly client: AuthClient | null;
  /** The whole snapshot of `observeAuth(client)`; the signals below are parts of it. */
  abstract readonly state: Signal<AuthState>;
  /** `'loading'` until start-up is done, then `'signed-in'` or `'signed-out'`. */
  abstract readonly status: Signal<AuthStatus>;
  /** The session (tokens, expiry, ID-token claims), or null. */
  abstract readonly session: Signal<Session | null>;
  /** The validated ID-token claims of the signed-in user, or null. */
  abstract readonly user: Signal<NonNullable<Session['claims']> | null>;
  /** Whether a session is held (renewals keep it; a logout anywhere, or a failed renewal past expiry, ends it). */
  abstract readonly isAuthenticated: Signal<boolean>;
  /** How this client renews in this browser (see the core's `SilentRenewal`). */
  abstract readonly silentRenewal: Signal<SilentRenewal>;
  /** The last failure (a renewal, the callback) since the last session arrived, or null. */
  abstract readonly error: Signal<AuthError | null>;
  /** Settles once start-up is done (`status` is no longer `'loading'`). */
  abstract readonly ready: Promise<void>;
  /** Starts an interactive login (`returnTo`: where the app lands afterwards). */
  abstract login(options?: LoginOptions): Promise<void>;
  /** Signs out here and in every tab, then at the provider (unless `endSession: false`). */
  abstract logout(options?: LogoutOptions): Promise<void>;
  /** Signs in with a `prompt=none` round trip when the provider session still lives (see the core's `restore`). */
  abstract restore(): Promise<boolean>;
  /** Logs in in a popup window; resolves with the session. */
  abstract loginWithPopup(options?: PopupOptions): Promise<Session>;
  /** Renews in a popup (when the hidden iframe cannot): resolves with the session. */
  abstract renewWithPopup(options?: PopupOptions): Promise<Session>;
  /** A usable access token, renewed first when it is near expiry. */
  abstract getAccessToken(): Promise<string>;
  /** Renews now (joins a renewal in flight). */
  abstract renew(): Promise<Session>;
  /** Calls `listener` whenever a held session ends (a logout here or in another tab, the session monitor, idle). */
  abstract onSignedOut(listener: () => void): () => void;
}

/** The part of the sign-in that changes: where the snapshots come from and how to hear of changes. */
export interface StateFeed {
  getState(): AuthState;
  subscribe(listener: () => void): () => void;
}

/** Builds the signals and the sign-out notification over a feed of snapshots. Returns them and the unsubscribe. */
export function stateSignals(feed: StateFeed) {
  const state = signal(feed.getState());
  const listeners = new Set<() => void>();
  const stop = feed.subscribe(() => {
    const before = state().status;
    // Signal writes need no zone: they schedule change detection themselves (zone or zoneless).
    state.set(feed.getState());
    if (before === 'signed-in' && state().status === 'signed-out') for (const fn of [...listeners]) fn();
  });
  const part = <K extends keyof AuthState>(k: K) => computed(() => state()[k]);
  const session = part('session');
  return {
    stop,
    parts: {
      state: state.asReadonly(),
      status: part('status'),
      session,
      user: computed(() => session()?.claims ?? null),
      isAuthenticated: computed(() => state().status === 'signed-in'),
      silentRenewal: part('silentRenewal'),
      error: part('error'),
      onSignedOut(fn: () => void) {
        listeners.add(fn);
        return () => void listeners.delete(fn);
      },
    },
  };
}

/** The state where there is no browser: signed out for good, as `observeAuth` has it on the server. */
const SERVER_FEED: StateFeed = {
  getState: () => ({ status: 'signed-out', session: null, silentRenewal: 'unknown', error: null }),
  subscribe: () => () => {},
};

/**
 * The real service over `client` (null: server-side rendering). Every client call runs through `outside`, i.e.
 * outside Angular's zone, so that the timers and requests it starts (renewal, discovery, iframes) never keep the app
 * unstable. Returns the service and its dispose.
 */
export function connectAuth(client: AuthClient | null, outside: <T>(fn: () => T) => T): [ConnectAuth, () => void] {
  const observer = client ? outside(() => observeAuth(client)) : null;
  const { stop, parts } = outside(() => stateSignals(observer ?? SERVER_FEED));
  const call =
    <A extends unknown[], R>(fn: (c: AuthClient, ...a: A) => Promise<R>) =>
    (...a: A): Promise<R> =>
      client ? outside(() => fn(client, ...a)) : Promise.reject(new AuthError('not_in_browser', 'connect-pkce runs in the browser only'));
  const auth: ConnectAuth = {
    client,
    ...parts,
    ready: observer?.ready ?? Promise.resolve(),
    login: call((c, o?: LoginOptions) => c.login(o)),
    logout: call((c, o?: LogoutOptions) => c.logout(o)),
    restore: call((c) => c.restore()),
    loginWithPopup: call(loginWithPopup),
    renewWithPopup: call(renewWithPopup),
    getAccessToken: call((c) => c.getAccessToken()),
    renew: call((c) => c.renew()),
  };
  return [auth, stop];
}

// connect-pkce/angular/testing: provideConnectAuthTesting, a ConnectAuth for an app's own unit tests, signed in (or out) as told, with no client,
// no provider and no network. The guard and the interceptor work with it as with the real one.
import { type EnvironmentProviders, makeEnvironmentProviders } from '@angular/core';
import { AuthError, type AuthState, type Session } from '../index.js';
// The binding is imported as the package's entry, so the fake and the app share one ConnectAuth token.
import { CONNECT_AUTH_SETTINGS, ConnectAuth, ɵstateSignals as stateSignals } from './index.js';

/** Options of {@link provideConnectAuthTesting}. */
export interface ConnectAuthTestingOptions {
  /** The signed-in user's ID-token claims; `null` starts signed out. Default: `{ sub: 'test-user' }`. */
  user?: NonNullable<Session['claims']> | null | undefined;
  /** The access token the fake hands out (and the interceptor sends). Default `'test-access-token'`. */
  accessToken?: string | undefined;
  /** Its `token_type`: `'DPoP'` stands for a client with the `dpop` option. Default `'bearer'`. */
  tokenType?: string | undefined;
  /** Origins the interceptor sends the token to, besides the page's own. */
  origins?: string[] | undefined;
  /** See `provideConnectAuth`. */
  loginUrl?: string | undefined;
  /** See `provideConnectAuth`. Default `'/'`. */
  signedOutUrl?: string | undefined;
}

/**
 * A signed-in (or, with `user: null`, signed-out) {@link ConnectAuth} for unit tests: `login()` and
 * `loginWithPopup()` sign the fake user in, `logout()` signs out, `renew()` hands out a new token
 * (`<accessToken>-2`, `-3`, …). Works with `authGuard` and `authInterceptor`.
 *
 * ```ts
 * TestBed.configureTestingModule({ providers: [provideConnectAuthTesting({ user: { sub: 'u1', name: 'Ada' } })] });
 * ```
 */
export function provideConnectAuthTesting(options: ConnectAuthTestingOptions = {}): EnvironmentProviders {
  const { user = { sub: 'test-user' } as NonNullable<Session['claims']>, accessToken = 'test-access-token' } = options;
  return makeEnvironmentProviders([
    { provide: CONNECT_AUTH_SETTINGS, useValue: { origins: options.origins ?? [], authority: 'https://provider.invalid', loginUrl: options.loginUrl, signedOutUrl: options.signedOutUrl ?? '/' } },
    { provide: ConnectAuth, useFactory: () => fakeAuth(user, accessToken, options.tokenType ?? 'bearer') },
  ]);
}

function fakeAuth(user: NonNullable<Session['claims']> | null, accessToken: string, tokenType: string): ConnectAuth {
  let renewals = 1;
  const session = (): Session => ({
    accessToken: renewals > 1 ? `${accessToken}-${renewals}` : accessToken,
    tokenType,
    expiresAt: Date.now() + 3_600_000,
    claims: user ?? { sub: 'test-user' } as NonNullable<Session['claims']>,
  });
  const listeners = new Set<() => void>();
  let state: AuthState = { status: user ? 'signed-in' : 'signed-out', session: user ? session() : null, silentRenewal: 'iframe', error: null };
  const set = (s: Session | null) => {
    state = { ...state, status: s ? 'signed-in' : 'signed-out', session: s };
    for (const fn of [...listeners]) fn();
    return s;
  };
  const { parts } = stateSignals({
    getState: () => state,
    subscribe: (fn) => {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
  });
  const signIn = async () => set(session()) as Session;
  const current = () => state.session;
  return {
    client: null,
    ...parts,
    ready: Promise.resolve(),
    login: async () => void (await signIn()),
    logout: async () => void set(null),
    restore: async () => !!(await signIn()),
    loginWithPopup: signIn,
    renewWithPopup: signIn,
    getAccessToken: async () => current()?.accessToken ?? Promise.reject(new AuthError('login_required', 'Signed out')),
    renew: async () => {
      renewals++;
      return signIn();
    },
  };
}

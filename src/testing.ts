// Test doubles for apps, their own entry point: `connect-pkce/testing`. A client that is signed in or out as the test
// says, with no provider, no network, no storage and no timers, which observeAuth and the React and Vue bindings read
// like a real one.
import { type AuthClient, AuthError, type Session, type SilentRenewal } from './index.js';
import { INTERNALS } from './internals.js';

/** Options of {@link createTestClient}. */
export interface TestClientOptions {
  /** The session to start with (`true`: a default one for user `test-user`); default signed out. */
  session?: Partial<Session> | boolean | undefined;
  /** `silentRenewal` to report; default `'iframe'`. */
  silentRenewal?: SilentRenewal | undefined;
}

/** A fake {@link AuthClient} for an app's tests, that the test drives: see {@link createTestClient}. */
export interface TestClient extends AuthClient {
  /** Signs in now (a login completing, another tab's, a renewal): the given claims or token, or a default session. */
  signIn(session?: Partial<Session>): Session;
  /** Signs out now, as a logout in any tab would. */
  signOut(): void;
  /** Records a failure as the state's `error` (a renewal that failed: `new AuthError('login_required', '…')`). */
  fail(error: AuthError): void;
  /** Sets `silentRenewal`. */
  setSilentRenewal(value: SilentRenewal): void;
  /** The calls the app made to `login()` and `logout()`, with their options, in order. */
  calls: { method: 'login' | 'logout'; options: unknown }[];
}

let tokens = 0;
/** A session for `test-user`, valid for an hour, with the fields given. */
const sessionOf = (s: Partial<Session> = {}): Session => {
  const now = Math.floor(Date.now() / 1000);
  return {
    accessToken: `test-access-token-${++tokens}`,
    tokenType: 'Bearer',
    expiresAt: (now + 3600) * 1000,
    claims: { iss: 'https://test.invalid', aud: 'test-client', iat: now, exp: now + 3600, sub: 'test-user', name: 'Test User' },
    ...s,
  };
};

/**
 * A client for an app's unit tests: signed in or out from the start (no loading), `login()` signs in and `logout()`
 * signs out at once (both recorded in `calls`), `getAccessToken()` gives the session's token or rejects with
 * `login_required`. Pass it to `<AuthProvider client={…}>` or `createAuth(…)`, or to `observeAuth`. The add-ons
 * (`signOutWhenIdle`, `monitorSession`) need a real client.
 */
export function createTestClient(options: TestClientOptions = {}): TestClient {
  let current: Session | null = options.session ? sessionOf(options.session === true ? {} : options.session) : null;
  let error: AuthError | null = null;
  let silentRenewal: SilentRenewal = options.silentRenewal ?? 'iframe';
  const watchers = new Set<() => void>();
  const handlers: Record<string, Set<(v: unknown) => void>> = {};
  const emit = (event: string, value?: unknown) => {
    for (const h of handlers[event] ?? []) h(value);
  };
  const changed = () => {
    for (const w of [...watchers]) w();
  };
  const client: TestClient = {
    calls: [],
    signIn(s) {
      current = sessionOf(s);
      error = null;
      changed();
      emit('token', current);
      return current;
    },
    signOut() {
      current = null;
      changed();
      emit('logout');
    },
    fail(e) {
      error = e;
      changed();
      emit('renewError', e);
    },
    setSilentRenewal(value) {
      silentRenewal = value;
      changed();
      emit('silentRenewal', value);
    },
    async login(o) {
      client.calls.push({ method: 'login', options: o });
      client.signIn();
    },
    async logout(o) {
      client.calls.push({ method: 'logout', options: o });
      client.signOut();
    },
    isCallback: () => false,
    handleRedirectCallback: () => Promise.reject(new AuthError('state_mismatch', 'The test client has no pending login')),
    getSession: async () => current,
    isAuthenticated: async () => !!current,
    async getAccessToken() {
      if (!current) throw new AuthError('login_required', 'Signed out');
      return current.accessToken;
    },
    async renew() {
      if (!current) throw new AuthError('login_required', 'Signed out');
      return client.signIn({ claims: current.claims });
    },
    restore: async () => false,
    get silentRenewal() {
      return silentRenewal;
    },
    on(event, handler) {
      handlers[event] ??= new Set();
      const set = handlers[event];
      set.add(handler as (v: unknown) => void);
      return () => void set.delete(handler as (v: unknown) => void);
    },
    dispose() {
      watchers.clear();
    },
  };
  // What observeAuth reads of a client: its state, its change notifications, and start-up (done at once).
  Object.assign(client, {
    [INTERNALS]: {
      ready: Promise.resolve(),
      source: () => ({ ready: true, current, silentRenewal, error }),
      watch(fn: () => void) {
        watchers.add(fn);
        return () => void watchers.delete(fn);
      },
    },
  });
  return client;
}

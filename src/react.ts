// React binding, its own entry point: `connect-pkce/react` (React 18 or later, an optional peer). Reads the client's
// state through observeAuth with useSyncExternalStore, so every component sees the same snapshot in the same render;
// keeps no session of its own. Written with createElement (no JSX runtime in the package).
import {
  type ComponentType,
  createContext,
  createElement,
  Fragment,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useSyncExternalStore,
} from 'react';
import { bind, deliver } from './binding.js';
import {
  type AuthClient,
  type AuthClientOptions,
  AuthError,
  type AuthorizedFetch,
  type AuthorizedFetchOptions,
  type AuthState,
  createAuthClient,
  createAuthorizedFetch,
  type LoginOptions,
  type Session,
} from './index.js';

const Context = createContext<AuthClient | null>(null);

/** Props of {@link AuthProvider}: a `client`, or the `options` to make one with. */
export type AuthProviderProps = ({ client: AuthClient; options?: undefined } | { options: AuthClientOptions; client?: undefined }) & {
  /**
   * Called once per page load after the redirect callback was handled, with the `returnTo` of the login: hand it to
   * your router, e.g. `(to) => navigate(to ?? '/', { replace: true })`. Default: the address bar is set to
   * `returnTo` with `history.replaceState` (no reload).
   */
  onRedirectCallback?: ((returnTo: string | undefined) => void) | undefined;
  children?: ReactNode;
};

// Clients made from options, one per distinct options for the page's lifetime: a render (StrictMode renders twice)
// must not make a second client, which would hold its own channels and timers.
const made = new Map<string, AuthClient>();

/**
 * Makes the client available to {@link useAuth} and the components below, and handles the redirect callback once per
 * page load whatever the mounting (StrictMode's double mount, remounts): the code is exchanged once. Create the client
 * at module level and pass it as `client` to reach it outside components too; `options` makes one per distinct options
 * (its functions, e.g. `logger`, are those of the first render).
 */
export function AuthProvider(props: AuthProviderProps): ReturnType<typeof createElement> {
  const { options } = props;
  const key = options && JSON.stringify(options);
  const client = props.client ?? made.get(key as string) ?? createAuthClient(options as AuthClientOptions);
  if (key) made.set(key, client);
  const navigate = useRef(props.onRedirectCallback);
  navigate.current = props.onRedirectCallback;
  useEffect(() => {
    let mounted = true;
    // A mount that was undone meanwhile (StrictMode) leaves the hand-over to the mount that stays.
    void bind(client)
      .callback()
      .then((r) => mounted && deliver(r, navigate.current));
    return () => {
      mounted = false;
    };
  }, [client]);
  return createElement(Context.Provider, { value: client }, props.children);
}

/** The client of the nearest {@link AuthProvider}; throws `AuthError('invalid_config')` outside one. */
export function useAuthClient(): AuthClient {
  const client = useContext(Context);
  if (!client) throw new AuthError('invalid_config', 'connect-pkce/react: no <AuthProvider>');
  return client;
}

/** What {@link useAuth} returns: the state, what follows from it, and the client's methods. */
export interface UseAuth extends AuthState {
  /** `status === 'signed-in'`. */
  isAuthenticated: boolean;
  /** `status === 'loading'`: start-up, or this page's redirect callback, not done yet. */
  isLoading: boolean;
  /** The ID token's claims, or undefined. */
  user: Session['claims'];
  client: AuthClient;
  login: AuthClient['login'];
  logout: AuthClient['logout'];
  getAccessToken: AuthClient['getAccessToken'];
  renew: AuthClient['renew'];
  restore: AuthClient['restore'];
}

// On the server and while hydrating: nobody is known yet. 'loading' rather than signed out, so that a guard rendered
// from the server's HTML does not send the user to the provider before the browser has read the session.
const SERVER_STATE: AuthState = { status: 'loading', session: null, silentRenewal: 'unknown', error: null };
const serverState = () => SERVER_STATE;

/**
 * The sign-in state of the nearest {@link AuthProvider}'s client, re-rendering on every change (a login, a renewal,
 * another tab's logout), with its methods. `status` is `'loading'` until start-up and this page's redirect callback
 * are done, on the server, and while hydrating.
 */
export function useAuth(): UseAuth {
  const client = useAuthClient();
  const b = bind(client);
  const state = useSyncExternalStore(b.subscribe, b.getState, serverState);
  return useMemo(
    () => ({
      ...state,
      isAuthenticated: state.status === 'signed-in',
      isLoading: state.status === 'loading',
      user: state.session?.claims,
      client,
      // The client's methods hold no `this`: handed on as they are.
      login: client.login,
      logout: client.logout,
      getAccessToken: client.getAccessToken,
      renew: client.renew,
      restore: client.restore,
    }),
    [state, client],
  );
}

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  /**
   * Rendered instead of `children` (default nothing): while loading, while the login starts, after a logout, and when
   * signed out with an `error` (this page's callback or a renewal failed: no login loop; read it with
   * `useAuth().error`).
   */
  fallback?: ReactNode;
  /** Passed to `login()`; `returnTo` defaults to this page's path, query and fragment. */
  loginOptions?: LoginOptions | undefined;
  children?: ReactNode;
}

/**
 * Renders `children` when signed in. Signed out, it starts a login that comes back to this page (once, however often
 * it mounts); while loading it renders `fallback`, so it never decides before the redirect callback is handled. A
 * logout while it shows (in any tab) renders `fallback` and starts no login.
 */
export function RequireAuth(props: RequireAuthProps): ReturnType<typeof createElement> {
  const { status, error, client } = useAuth();
  // Signed out after being signed in here (a logout in this tab or another): no new login. In this tab it would race
  // the logout's own navigation to the provider and sign the user straight back in.
  const seen = useRef(false);
  if (status === 'signed-in') seen.current = true;
  const signedOut = status === 'signed-out' && !error && !seen.current;
  useEffect(() => {
    // A path (with the router's base): what onRedirectCallback hands a router's navigate().
    if (signedOut) void bind(client).login({ returnTo: location.pathname + location.search + location.hash, ...props.loginOptions });
  }, [signedOut, client, props.loginOptions]);
  return createElement(Fragment, null, status === 'signed-in' ? props.children : props.fallback);
}

/** `Component` behind {@link RequireAuth}: `export default withAuthenticationRequired(Profile, { fallback })`. */
export function withAuthenticationRequired<P extends object>(Component: ComponentType<P>, options: Omit<RequireAuthProps, 'children'> = {}) {
  return (props: P) => createElement(RequireAuth, options, createElement(Component, props));
}

/**
 * A `fetch` that sends the access token, to this page's origin and `options.origins` only, and renews once on a 401:
 * {@link createAuthorizedFetch} for the provider's client, the same function across renders.
 */
export function useAuthorizedFetch(options?: AuthorizedFetchOptions): AuthorizedFetch {
  const client = useAuthClient();
  // The same origins make the same function, however the array is written at each render.
  const origins = options?.origins?.join(' ');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `origins` stands for `options`
  return useMemo(() => createAuthorizedFetch(client, options), [client, origins]);
}

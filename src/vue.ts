// Vue binding, its own entry point: `connect-pkce/vue` (Vue 3.3 or later, an optional peer). Shallow refs over the
// client's state (observeAuth), updated from one subscription; usable in components (`useAuth()`) and outside them
// (the instance `createAuth` returns, or `useAuth()` anywhere once it exists: a router guard, a store).
import { type App, hasInjectionContext, type InjectionKey, inject, type ShallowRef, shallowRef } from 'vue';
import { bind, deliver } from './binding.js';
import { inBrowser } from './no-browser.js';
import {
  type AuthClient,
  type AuthClientOptions,
  AuthError,
  type AuthStatus,
  createAuthClient,
  type LoginOptions,
  observeAuth,
  type Session,
  type SilentRenewal,
} from './index.js';

/** Options of {@link createAuth}. */
export interface VueAuthOptions {
  /**
   * Called once per page load after the redirect callback was handled, with the `returnTo` of the login: hand it to
   * your router, e.g. `(to) => router.replace(to ?? '/')`. Default: the address bar is set to `returnTo` with
   * `history.replaceState` (no reload).
   */
  onRedirectCallback?: ((returnTo: string | undefined) => void) | undefined;
}

/** The plugin and the state it holds: see {@link createAuth}. */
export interface VueAuth {
  /** `app.use(auth)`: makes it what {@link useAuth} returns in the app's components. */
  install(app: App): void;
  client: AuthClient;
  /** `'loading'` until start-up and this page's redirect callback are done (and on the server), then signed in or out. */
  status: Readonly<ShallowRef<AuthStatus>>;
  isAuthenticated: Readonly<ShallowRef<boolean>>;
  session: Readonly<ShallowRef<Session | null>>;
  /** The ID token's claims, or undefined. */
  user: Readonly<ShallowRef<Session['claims']>>;
  silentRenewal: Readonly<ShallowRef<SilentRenewal>>;
  /** The last failure (a renewal, a callback) since the last session arrived, or null. */
  error: Readonly<ShallowRef<AuthError | null>>;
  /** Settles once start-up and this page's redirect callback are done: what a guard waits for. */
  ready: Promise<void>;
  login: AuthClient['login'];
  logout: AuthClient['logout'];
  getAccessToken: AuthClient['getAccessToken'];
  /** Stops updating the refs (the client itself is left running). */
  dispose(): void;
}

const KEY: InjectionKey<VueAuth> = Symbol('connect-pkce');
// The last instance made: what useAuth() returns outside a component (a guard, a store, a plain module).
let current: VueAuth | undefined;

/**
 * The Vue plugin for `client` (or a client made from `options`): refs over its sign-in state, updated from one
 * subscription, and the redirect callback handled once per page load (a code is exchanged once, whatever mounts),
 * then `returnTo` handed to `onRedirectCallback`. Make it at module level, before the router starts, and
 * `app.use(auth)`; outside components use the instance itself, or `useAuth()`.
 */
export function createAuth(client: AuthClient | AuthClientOptions, options: VueAuthOptions = {}): VueAuth {
  const c = 'login' in client ? client : createAuthClient(client);
  const b = bind(c);
  const s = b.getState();
  const refs = {
    status: shallowRef(s.status),
    isAuthenticated: shallowRef(false),
    session: shallowRef(s.session),
    user: shallowRef<Session['claims']>(),
    silentRenewal: shallowRef(s.silentRenewal),
    error: shallowRef(s.error),
  };
  const sync = () => {
    const now = b.getState();
    refs.status.value = now.status;
    refs.isAuthenticated.value = now.status === 'signed-in';
    refs.session.value = now.session;
    refs.user.value = now.session?.claims;
    refs.silentRenewal.value = now.silentRenewal;
    refs.error.value = now.error;
  };
  sync();
  const auth: VueAuth = {
    install: (app) => void app.provide(KEY, auth),
    client: c,
    ...refs,
    ready: Promise.all([observeAuth(c).ready, b.callback()]).then(() => {}),
    login: (o) => c.login(o),
    logout: (o) => c.logout(o),
    getAccessToken: () => c.getAccessToken(),
    dispose: b.subscribe(sync),
  };
  void b.callback().then((r) => deliver(r, options.onRedirectCallback));
  current = auth;
  return auth;
}

/**
 * The {@link VueAuth} of the app: injected in a component's `setup()`, and outside one (a router guard, a store) the
 * last one {@link createAuth} made. Throws `AuthError('invalid_config')` before any exists.
 */
export function useAuth(): VueAuth {
  const auth = (hasInjectionContext() && inject(KEY, undefined)) || current;
  if (!auth) throw new AuthError('invalid_config', 'connect-pkce/vue: call createAuth() first');
  return auth;
}

/** The part of a vue-router route the guard reads. */
export interface GuardedRoute {
  fullPath: string;
  meta: Record<string | number | symbol, unknown>;
}

/** Options of {@link authGuard}. */
export interface AuthGuardOptions {
  /** Which routes need a signed-in user. Default: those with `meta.requiresAuth`. */
  requiresAuth?: ((to: GuardedRoute) => boolean) | undefined;
  /** Passed to `login()`; `returnTo` defaults to the route's path with the router's base. */
  loginOptions?: LoginOptions | undefined;
}

/**
 * A vue-router navigation guard, `router.beforeEach(authGuard(auth, router))`: waits for start-up and, on the
 * callback route, for the code exchange, then lets a signed-in user through and sends anyone else to the provider
 * (once at a time), coming back to the guarded route. A route that needs no sign-in passes at once.
 */
export function authGuard(auth: VueAuth, router: { resolve(to: string): { href: string } }, options: AuthGuardOptions = {}) {
  const needed = options.requiresAuth ?? ((to: GuardedRoute) => !!to.meta.requiresAuth);
  return async (to: GuardedRoute): Promise<boolean> => {
    // On the server (no browser) the route renders in the 'loading' state: the browser decides.
    if (!needed(to) || !inBrowser()) return true;
    await auth.ready;
    if (auth.isAuthenticated.value) return true;
    // The route's path with the router's base (web history), as onRedirectCallback gets it back.
    await bind(auth.client).login({ returnTo: router.resolve(to.fullPath).href, ...options.loginOptions });
    return false;
  };
}

// provideConnectAuth: the one place an Angular app configures sign-in. Creates the client once, in the browser
// only and outside Angular's zone, and handles the provider's redirect before the router's first navigation.
import { isPlatformBrowser } from '@angular/common';
import {
  APP_INITIALIZER,
  DestroyRef,
  type EnvironmentProviders,
  InjectionToken,
  inject,
  makeEnvironmentProviders,
  NgZone,
  PLATFORM_ID,
  type Provider,
} from '@angular/core';
import { type AuthClientOptions, type ConnectClientOptions, connectAuthority, createAuthClient, sdkWindow } from '../index.js';
import { ConnectAuth, connectAuth } from './auth.js';

/** What the binding adds to the client's options. */
export interface ConnectAuthBindingOptions {
  /**
   * Origins `authInterceptor` sends the access token to, besides the page's own (for CONNECT the region's or host's
   * origin is added). Any other origin gets the request untouched, without a token.
   */
  origins?: string[] | undefined;
  /**
   * Where `authGuard` sends a user it lets not in, as a router URL (e.g. `'/welcome'`), instead of starting a login.
   */
  loginUrl?: string | undefined;
  /** Where a user on a guarded route goes when the session ends (a logout in another tab, the monitor): default `'/'`. */
  signedOutUrl?: string | undefined;
}

/** Options of {@link provideConnectAuth}: a client's (`authority`) or a CONNECT client's (`region`/`host`, `tenantId`). */
export type ConnectAuthOptions = (AuthClientOptions | ConnectClientOptions) & ConnectAuthBindingOptions;

/** The binding's settings as the guard and the interceptor read them. */
export interface ConnectAuthSettings {
  /** Origins that get the token (the page's own is always one). */
  origins: string[];
  /** The provider's base URL: requests under it never get the token from the interceptor. */
  authority: string;
  loginUrl?: string | undefined;
  signedOutUrl: string;
}

/** The binding's settings (`provideConnectAuth` and `provideConnectAuthTesting` provide them). */
export const CONNECT_AUTH_SETTINGS = new InjectionToken<ConnectAuthSettings>('connect-pkce settings');

/** A part of the binding that an app opts into, e.g. `withIdleSignOut`: see {@link provideConnectAuth}. */
export interface ConnectAuthFeature {
  /** Its providers. */
  readonly providers: Provider[];
}

/**
 * Configures sign-in for the app: the client (one per app, browser only, created outside Angular's zone), the
 * {@link ConnectAuth} service, and an app initializer that completes a login when the page is the provider's redirect
 * (before the router's first navigation, which then goes to the login's `returnTo`). Under server-side rendering
 * nothing is created: the state is signed out and nothing is held open. In the SDK's own hidden iframe or popup (an
 * app whose silent redirect URI is one of its pages) the client only hands the response back. Works in
 * `bootstrapApplication(…, { providers: [...] })` and in an NgModule's `providers`.
 *
 * ```ts
 * provideConnectAuth({ region: 'uswe', tenantId, clientId, redirectUri: `${location.origin}/` }, withIdleSignOut({ after: 900 }))
 * ```
 */
export function provideConnectAuth(options: ConnectAuthOptions, ...features: ConnectAuthFeature[]): EnvironmentProviders {
  const { origins = [], loginUrl, signedOutUrl = '/', ...clientOptions } = options;
  // CONNECT (a region or host, no authority): the region's authority and scope, as createConnectClient has them;
  // its `fetch` is left out (the interceptor does its work), and the region's origin gets the token.
  const c = clientOptions as AuthClientOptions & ConnectClientOptions;
  const connect = !c.authority && (c.region ? { region: c.region } : { host: c.host as string });
  const settings = (): ConnectAuthSettings => {
    const authority = connect ? connectAuthority(connect) : c.authority;
    return { origins: connect ? [...origins, new URL(authority).origin] : origins, authority, loginUrl, signedOutUrl };
  };
  return makeEnvironmentProviders([
    { provide: CONNECT_AUTH_SETTINGS, useFactory: settings },
    {
      provide: ConnectAuth,
      useFactory: () => {
        const zone = inject(NgZone);
        const outside = <T>(fn: () => T) => zone.runOutsideAngular(fn);
        const browser = isPlatformBrowser(inject(PLATFORM_ID));
        const { authority } = inject(CONNECT_AUTH_SETTINGS);
        const client = browser ? outside(() => createAuthClient({ ...c, authority, scope: c.scope ?? (connect ? 'openid ocsapi' : undefined) })) : null;
        const [auth, stop] = connectAuth(client, outside);
        inject(DestroyRef).onDestroy(() => {
          stop();
          client?.dispose();
        });
        return auth;
      },
    },
    { provide: APP_INITIALIZER, multi: true, useFactory: completeLogin },
    features.flatMap((f) => f.providers),
  ]);
}

/**
 * The app initializer: completes a login when this page is the provider's redirect. The response is taken from the
 * address bar before the router reads it; then the address bar shows the login's `returnTo`, so the router's first
 * navigation goes there (through its guards, with no reload). A failed callback leaves the app signed out with
 * `error` set: the app still starts.
 */
function completeLogin(): () => Promise<void> {
  const { client } = inject(ConnectAuth);
  const zone = inject(NgZone);
  return async () => {
    if (!client || sdkWindow() || !client.isCallback()) return;
    try {
      // Outside the zone like every client call: the exchange and the renewal it schedules must not hold the app.
      const { returnTo } = await zone.runOutsideAngular(() => client.handleRedirectCallback());
      if (returnTo) history.replaceState(history.state, '', returnTo);
    } catch {
      // In `auth.error()`: the app decides what to show.
    }
  };
}

// authGuard: a functional guard (canActivate and canMatch) that lets a signed-in user in and sends anyone else to
// the login, and back to the route afterwards; a session that ends takes the user off the guarded route.
import { isPlatformBrowser, Location } from '@angular/common';
import { inject, NgZone, PLATFORM_ID } from '@angular/core';
import { type ActivatedRouteSnapshot, type CanActivateFn, type CanMatchFn, type Route, Router, type RouterStateSnapshot } from '@angular/router';
import { sdkWindow } from '../index.js';
import { ConnectAuth } from './auth.js';
import { CONNECT_AUTH_SETTINGS } from './provide.js';

/** Routes (their config objects) a signed-in user was let into by the guard. */
const guarded = new WeakSet<Route>();
/** Services whose sign-out is already watched. */
const watched = new WeakSet<ConnectAuth>();

/**
 * Lets the user in once start-up is done and a session is held. Anyone else is sent to the provider's login with
 * `returnTo` = the URL being navigated to (or, with `loginUrl` set, to that route), and lands back on it. While the
 * user is on a route it let in, a session that ends (a logout in another tab, the session monitor, idle sign-out)
 * sends the user to `signedOutUrl`. Under server-side rendering, and in the SDK's own iframe or popup, it lets no one
 * in and starts no login.
 *
 * ```ts
 * { path: 'reports', component: Reports, canActivate: [authGuard] }
 * ```
 */
export const authGuard: CanActivateFn & CanMatchFn = (route: ActivatedRouteSnapshot | Route, target) => {
  const auth = inject(ConnectAuth);
  const router = inject(Router);
  const location = inject(Location);
  const settings = inject(CONNECT_AUTH_SETTINGS);
  const zone = inject(NgZone);
  const browser = isPlatformBrowser(inject(PLATFORM_ID));
  if (!watched.has(auth)) {
    watched.add(auth);
    auth.onSignedOut(() => {
      if (isGuarded(router.routerState.snapshot.root)) zone.run(() => void router.navigateByUrl(settings.signedOutUrl));
    });
  }
  // canActivate gets the router state; canMatch the segments, while the navigation knows its URL.
  const url = Array.isArray(target)
    ? router.serializeUrl(router.getCurrentNavigation()?.extractedUrl ?? router.parseUrl(router.url))
    : (target as RouterStateSnapshot).url;
  const config = 'routeConfig' in route ? route.routeConfig : route;
  return auth.ready.then(() => {
    if (auth.isAuthenticated()) {
      if (config) guarded.add(config);
      return true;
    }
    if (!browser || sdkWindow()) return false;
    if (settings.loginUrl) return router.parseUrl(settings.loginUrl);
    // The address the browser shows for that route (base href, hash routing), which is where the login returns.
    auth.login({ returnTo: location.prepareExternalUrl(url) }).catch(() => {});
    return false;
  });
};

/** Whether a route the guard let in is part of the router state below `node`. */
function isGuarded(node: ActivatedRouteSnapshot): boolean {
  return (!!node.routeConfig && guarded.has(node.routeConfig)) || node.children.some(isGuarded);
}

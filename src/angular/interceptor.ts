// authInterceptor: HttpClient's side of createAuthorizedFetch. The same policy object decides where the token goes
// and what a 401 earns (src/fetch.ts); here it only learns to speak Observables and HttpErrorResponse.
import { type HttpEvent, HttpErrorResponse, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { isPlatformBrowser } from '@angular/common';
import { inject, NgZone, PLATFORM_ID } from '@angular/core';
import { Observable } from 'rxjs';
import { AuthError, type BearerPolicy, bearerPolicy } from '../index.js';
import { ConnectAuth } from './auth.js';
import { CONNECT_AUTH_SETTINGS, type ConnectAuthSettings } from './provide.js';

/** One policy per service: its memory of refused tokens is the app's. */
const policies = new WeakMap<ConnectAuth, BearerPolicy>();

/** What one attempt of a request came to: its events, and the error that ended it, if one did. */
interface Attempt {
  status: number;
  events: HttpEvent<unknown>[];
  error?: unknown;
}

/**
 * Adds `Authorization: Bearer <token>` to requests for the page's own origin and the `origins` configured in
 * `provideConnectAuth`, and to no other (those pass through untouched, as do requests to the provider's own URLs).
 * It waits for a renewal when the token is near expiry; on a 401 it renews once and sends the request once more, at
 * most once per token (the rule of `createAuthorizedFetch`). Failing to get a token reaches the app as an
 * `HttpErrorResponse` with status 401 and the `AuthError` as its `error`; so does a DPoP-bound token (the client's
 * `dpop` option), which it never sends as a bearer token. The response's events are passed on once
 * the request is done (a 401 can only be known then), so progress events arrive together at the end.
 *
 * ```ts
 * provideHttpClient(withInterceptors([authInterceptor]))
 * ```
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(ConnectAuth);
  const settings = inject(CONNECT_AUTH_SETTINGS);
  const zone = inject(NgZone);
  // On the server the request goes as it is: there is no session there.
  const url = isPlatformBrowser(inject(PLATFORM_ID)) ? new URL(req.url, document.baseURI).href : '';
  const policy = policies.get(auth) ?? bearerPolicy(auth, { origins: settings.origins });
  policies.set(auth, policy);
  // Not an origin that gets the token: the request goes as it is.
  if (!url || !policy.allows(url) || isProviderUrl(url, settings)) return next(req);
  return new Observable<HttpEvent<unknown>>((subscriber) => {
    let cancel = () => {};
    const send = (token: string) =>
      new Promise<Attempt>((resolve, reject) => {
        // A DPoP-bound token (the client's `dpop` option) is never sent as a bearer token: HttpClient cannot sign
        // a proof per request here, createAuthorizedFetch does.
        if (/^dpop$/i.test(auth.session()?.tokenType ?? ''))
          return reject(new AuthError('invalid_config', 'A DPoP-bound token: use createAuthorizedFetch'));
        const events: HttpEvent<unknown>[] = [];
        // In the zone: the app's handlers of this response run there, as without the interceptor.
        const sub = zone.run(() =>
          next(req.clone({ setHeaders: { Authorization: `Bearer ${token}` } })).subscribe({
            next: (e) => events.push(e),
            error: (error) => resolve({ status: error instanceof HttpErrorResponse ? error.status : 0, events, error }),
            complete: () => resolve({ status: 200, events }),
          }),
        );
        cancel = () => sub.unsubscribe();
      });
    // A subscriber that unsubscribed ignores what still comes (rxjs): only the request in flight is cancelled.
    policy.send(send).then(
      (done) => {
        for (const e of done.events) subscriber.next(e);
        if ('error' in done) subscriber.error(done.error);
        else subscriber.complete();
      },
      (e) => subscriber.error(tokenError(req, e)),
    );
    return () => cancel();
  });
};

/** Whether `url` is under the provider's base URL (its endpoints never get the app's token from here). */
const isProviderUrl = (url: string, s: ConnectAuthSettings) => url.startsWith(`${s.authority.replace(/\/$/, '')}/`);

/** A failure to get a token, as HttpClient code expects one: a 401 whose `error` is the `AuthError`. */
const tokenError = (req: HttpRequest<unknown>, e: unknown) =>
  new HttpErrorResponse({
    status: 401,
    statusText: 'Unauthorized',
    url: req.url,
    error: e instanceof AuthError ? e : new AuthError('network', String(e)),
  });

/**
 * connect-pkce/angular (src/angular/): provideConnectAuth's service, its start-up (the redirect callback before the
 * router), the zone, authGuard and authInterceptor, driven through Angular's TestBed against the fake provider, as an
 * app uses them. zone.js is loaded so that the zone's stability is the one apps with zone.js have.
 */
import 'zone.js';
import '@angular/compiler';
import { HttpClient, HttpErrorResponse, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationInitStatus, type EnvironmentProviders, NgZone, PLATFORM_ID, type Provider, provideZoneChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { createApplication } from '@angular/platform-browser';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { provideRouter, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authGuard, authInterceptor, CONNECT_AUTH_SETTINGS, ConnectAuth, provideConnectAuth } from '../../src/angular/index.js';
import { type AuthClient, AuthError } from '../../src/index.js';
import { setAddress } from './support/browser.js';
import { APP_ORIGIN, ISSUER } from './support/fake-provider.js';
import { baseOptions, pendingTransactions, useWorld } from './support/world.js';

const w = useWorld();
const API = 'https://api.example';

beforeAll(() => TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting()));
afterEach(() => TestBed.resetTestingModule());

/** Starts an app with these providers (zone change detection, as apps with zone.js) and runs its initializers. */
async function app(...providers: (Provider | EnvironmentProviders)[]): Promise<ConnectAuth> {
  TestBed.resetTestingModule();
  TestBed.configureTestingModule({ providers: [provideZoneChangeDetection(), ...providers] });
  await TestBed.inject(ApplicationInitStatus).donePromise;
  return TestBed.inject(ConnectAuth);
}

/** The binding with the fake provider's settings, a router (one guarded route) and HttpClient with the interceptor. */
const connect = (o: object = {}) => [
  provideConnectAuth({ ...baseOptions(), origins: [API], ...o }),
  provideRouter([
    { path: 'reports', canActivate: [authGuard], children: [] },
    { path: 'open', children: [] },
  ]),
  provideHttpClient(withInterceptors([authInterceptor])),
  provideHttpClientTesting(),
];

/** Signs in as a user does: login, the provider's answer, and the app started again on that address. */
async function signedIn(o: object = {}, returnTo = '/reports?tab=2'): Promise<ConnectAuth> {
  const auth = await app(...connect(o));
  await auth.ready;
  const nav = w.nav.mock.calls.length;
  await auth.login({ returnTo });
  setAddress(w.callbackFor(new URL(String(w.nav.mock.calls[nav]?.[0]))));
  return app(...connect(o));
}


describe('provideConnectAuth', () => {
  it('feeds the signals from the client: loading, then signed out; the callback at start-up signs in before the router runs', async () => {
    const auth = await app(...connect());
    await auth.ready;
    expect([auth.status(), auth.isAuthenticated(), auth.session(), auth.user()]).toEqual(['signed-out', false, null, null]);

    const again = await signedIn();
    expect(again).not.toBe(auth);
    expect(again.status()).toBe('signed-in');
    expect(again.user()).toMatchObject({ sub: 'user-1' });
    expect(again.session()?.accessToken).toBe(w.provider.issuedAccessTokens[0]);
    // The code is gone from the address bar, which shows returnTo for the router's first navigation.
    expect(location.href).toBe(`${APP_ORIGIN}/reports?tab=2`);
    await TestBed.inject(Router).navigateByUrl(TestBed.inject(Router).parseUrl(location.pathname + location.search));
    expect(TestBed.inject(Router).url).toBe('/reports?tab=2');
  });

  it('creates the client and makes every SDK call outside the zone, so that its requests and timers never hold the app unstable', async () => {
    // Where the client is made (it opens its tab channel then) and where each of its methods is called.
    const zones: string[] = [];
    const Channel = BroadcastChannel;
    vi.stubGlobal('BroadcastChannel', function (this: unknown, name: string) {
      zones.push(`channel ${NgZone.isInAngularZone()}`);
      return new Channel(name);
    });
    w.provider.issueRefreshTokens = true;
    await signedIn();
    // A real start-up, which runs in the zone as bootstrapApplication does.
    const appRef = await createApplication({ providers: [provideZoneChangeDetection(), ...connect({ shareAcrossTabs: true })] });
    try {
      const auth = appRef.injector.get(ConnectAuth);
      const client = auth.client as AuthClient;
      for (const name of ['renew', 'getAccessToken', 'restore', 'logout'] as const) {
        const method = client[name].bind(client) as () => Promise<unknown>;
        vi.spyOn(client, name).mockImplementation(() => {
          zones.push(`${name} ${NgZone.isInAngularZone()}`);
          return method() as never;
        });
      }
      await appRef.injector.get(NgZone).run(async () => {
        expect(NgZone.isInAngularZone()).toBe(true);
        await auth.ready;
        await auth.renew();
        await auth.getAccessToken();
        await auth.logout({ endSession: false });
        await auth.restore();
      });
      expect(zones).toEqual(['channel false', 'renew false', 'getAccessToken false', 'logout false', 'restore false']);
    } finally {
      appRef.destroy();
    }
  });

  it('a failed callback leaves the app starting, signed out, with the error in error()', async () => {
    const auth = await app(...connect());
    await auth.ready;
    const nav = w.nav.mock.calls.length;
    await auth.login();
    const answer = new URL(w.callbackFor(new URL(String(w.nav.mock.calls[nav]?.[0]))));
    answer.searchParams.set('state', 'forged');
    setAddress(answer.href);
    const after = await app(...connect());
    await after.ready;
    expect(after.status()).toBe('signed-out');
    expect(after.error()).toBeInstanceOf(AuthError);
  });

  it('for CONNECT (region, tenant): the region\'s authority, and its API origin gets the token but its identity URLs do not', async () => {
    const auth = await app(
      provideConnectAuth({ region: 'uswe', tenantId: 't1', clientId: 'c1', redirectUri: `${APP_ORIGIN}/`, shareAcrossTabs: false }),
      provideHttpClient(withInterceptors([authInterceptor])),
      provideHttpClientTesting(),
    );
    const base = 'https://uswe.datahub.connect.aveva.com';
    expect(TestBed.inject(CONNECT_AUTH_SETTINGS)).toMatchObject({ authority: `${base}/identity`, origins: [base] });
    expect(auth.client).not.toBeNull();
    vi.spyOn(auth, 'getAccessToken').mockResolvedValue('t');
    const http = TestBed.inject(HttpClient);
    const ctl = TestBed.inject(HttpTestingController);
    const api = firstValueFrom(http.get(`${base}/api/v1/Tenants/t1/Namespaces`));
    const identity = firstValueFrom(http.get(`${base}/identity/connect/userinfo`));
    const a = await vi.waitFor(() => ctl.expectOne(`${base}/api/v1/Tenants/t1/Namespaces`));
    const b = ctl.expectOne(`${base}/identity/connect/userinfo`);
    expect(a.request.headers.get('Authorization')).toBe('Bearer t');
    expect(b.request.headers.has('Authorization')).toBe(false);
    a.flush([]);
    b.flush({});
    await Promise.all([api, identity]);
  });

  it('creates nothing on the server: signed out, no request, actions refuse with not_in_browser', async () => {
    const auth = await app(...connect(), { provide: PLATFORM_ID, useValue: 'server' });
    await auth.ready;
    expect([auth.client, auth.status()]).toEqual([null, 'signed-out']);
    await expect(auth.login()).rejects.toMatchObject({ code: 'not_in_browser' });
    expect(w.provider.requests).toHaveLength(0);
    expect(await TestBed.runInInjectionContext(() => authGuard({ routeConfig: null } as never, { url: '/reports' } as never))).toBe(false);
  });

  it('in the SDK\'s hidden iframe the initializer takes no callback and the guard starts no login', async () => {
    const auth = await signedIn();
    await auth.logout({ endSession: false });
    window.name = 'connect-pkce-silent';
    const nav = w.nav.mock.calls.length;
    expect(await TestBed.runInInjectionContext(() => authGuard({ routeConfig: null } as never, { url: '/reports' } as never))).toBe(false);
    expect(w.nav.mock.calls.length).toBe(nav);
  });
});

describe('authGuard', () => {
  it('sends a signed-out user to the login with returnTo = the URL being navigated to, and lets the user in afterwards', async () => {
    await (await app(...connect())).ready;
    const router = TestBed.inject(Router);
    expect(await router.navigateByUrl('/reports?tab=3')).toBe(false);
    await vi.waitFor(() => expect(new URL(String(w.nav.mock.lastCall?.[0])).origin).toBe(ISSUER));
    expect(Object.values(pendingTransactions())[0]?.returnTo).toBe('/reports?tab=3');
    const auth = await signedIn({}, '/reports?tab=3');
    await auth.ready;
    expect(await TestBed.inject(Router).navigateByUrl('/reports?tab=3')).toBe(true);
  });

  it('with loginUrl, sends a signed-out user to that route instead (canMatch too)', async () => {
    await (await app(...connect({ loginUrl: '/open' }))).ready;
    const router = TestBed.inject(Router);
    router.resetConfig([{ path: 'reports', canMatch: [authGuard], children: [] }, { path: 'open', children: [] }]);
    await router.navigateByUrl('/reports');
    expect(router.url).toBe('/open');
    expect(w.nav).not.toHaveBeenCalled();
  });

  it('a session that ends takes the user off a guarded route to signedOutUrl, and leaves other routes alone', async () => {
    const auth = await signedIn({ signedOutUrl: '/open' });
    const router = TestBed.inject(Router);
    await auth.ready;
    expect(await router.navigateByUrl('/reports')).toBe(true);
    // As a logout in another tab or the session monitor does: the session goes, the page stays.
    await auth.logout({ endSession: false });
    await vi.waitFor(() => expect(router.url).toBe('/open'));
  });
});

describe('authInterceptor', () => {
  /** HttpClient GET, as a promise of the body or the error. */
  const get = (url: string) => firstValueFrom(TestBed.inject(HttpClient).get(url, { responseType: 'text' })).catch((e: unknown) => e);
  const expectOne = (url: string) => vi.waitFor(() => TestBed.inject(HttpTestingController).expectOne(url));

  it('sends the token to the page and the listed origins, never to another origin or the provider', async () => {
    const auth = await signedIn();
    await auth.ready;
    const token = auth.session()?.accessToken;
    for (const url of [`${API}/items`, '/local']) {
      const res = get(url);
      const req = await expectOne(url);
      expect(req.request.headers.get('Authorization')).toBe(`Bearer ${token}`);
      req.flush('ok');
      expect(await res).toBe('ok');
    }
    for (const url of ['https://other.example/items', `${ISSUER}/userinfo`]) {
      const res = get(url);
      const req = await expectOne(url);
      expect(req.request.headers.has('Authorization')).toBe(false);
      req.flush('ok');
      await res;
    }
  });

  it('renews once on a 401 and retries once with the new token; a second 401 passes through without another renewal', async () => {
    w.provider.issueRefreshTokens = true;
    const auth = await signedIn();
    await auth.ready;
    const first = auth.session()?.accessToken;
    const res = get(`${API}/a`);
    (await expectOne(`${API}/a`)).flush('no', { status: 401, statusText: 'Unauthorized' });
    const retry = await expectOne(`${API}/a`);
    const renewed = auth.session()?.accessToken;
    expect(renewed).not.toBe(first);
    expect(retry.request.headers.get('Authorization')).toBe(`Bearer ${renewed}`);
    retry.flush('no', { status: 401, statusText: 'Unauthorized' });
    expect(await res).toMatchObject({ status: 401 });
    const tokens = w.provider.tokenRequests.length;
    const next = get(`${API}/b`);
    (await expectOne(`${API}/b`)).flush('no', { status: 401, statusText: 'Unauthorized' });
    expect(await next).toBeInstanceOf(HttpErrorResponse);
    expect(w.provider.tokenRequests.length).toBe(tokens);
  });

  it('a failure to get a token reaches the app as an HttpErrorResponse 401 carrying the AuthError, with no request sent', async () => {
    const auth = await signedIn();
    // Signed out: only login() signs in again, so getting a token fails at once.
    await auth.logout({ endSession: false });
    const err = await get(`${API}/items`);
    expect(err).toBeInstanceOf(HttpErrorResponse);
    expect((err as HttpErrorResponse).status).toBe(401);
    expect((err as HttpErrorResponse).error).toBeInstanceOf(AuthError);
    TestBed.inject(HttpTestingController).expectNone(`${API}/items`);
  });
});

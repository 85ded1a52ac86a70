/**
 * connect-pkce/angular/testing (src/angular/testing.ts): the fake an app's own unit tests use, with authGuard and
 * authInterceptor as the app has them; and the opt-in idle feature's countdown signal, on the real client.
 */
import 'zone.js';
import '@angular/compiler';
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { provideRouter, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authGuard, authInterceptor, ConnectAuth, ConnectIdle, provideConnectAuth, withIdleSignOut } from '../../src/angular/index.js';
import { provideConnectAuthTesting } from '../../src/angular/testing.js';
import { setAddress } from './support/browser.js';
import { baseOptions, useWorld } from './support/world.js';

const w = useWorld();

beforeAll(() => TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting()));
afterEach(() => TestBed.resetTestingModule());

function app(options: Parameters<typeof provideConnectAuthTesting>[0] = {}) {
  TestBed.configureTestingModule({
    providers: [
      provideConnectAuthTesting({ origins: ['https://api.example'], ...options }),
      provideRouter([
        { path: 'reports', canActivate: [authGuard], children: [] },
        { path: 'bye', children: [] },
      ]),
      provideHttpClient(withInterceptors([authInterceptor])),
      provideHttpClientTesting(),
    ],
  });
  return TestBed.inject(ConnectAuth);
}

describe('provideConnectAuthTesting', () => {
  it('is signed in as the given user, with no client and no request to any provider', async () => {
    const auth = app({ user: { sub: 'u1', name: 'Ada' } as never });
    await auth.ready;
    expect([auth.status(), auth.isAuthenticated(), auth.user()?.['name'], auth.client]).toEqual(['signed-in', true, 'Ada', null]);
    expect(await auth.getAccessToken()).toBe('test-access-token');
    expect(w.provider.requests).toHaveLength(0);
  });

  it('lets the guard through and the interceptor send its token to the listed origin only', async () => {
    app();
    expect(await TestBed.inject(Router).navigateByUrl('/reports')).toBe(true);
    const http = TestBed.inject(HttpClient);
    const ctl = TestBed.inject(HttpTestingController);
    const listed = firstValueFrom(http.get('https://api.example/items'));
    const other = firstValueFrom(http.get('https://other.example/items'));
    const a = await vi.waitFor(() => ctl.expectOne('https://api.example/items'));
    const b = await vi.waitFor(() => ctl.expectOne('https://other.example/items'));
    expect(a.request.headers.get('Authorization')).toBe('Bearer test-access-token');
    expect(b.request.headers.has('Authorization')).toBe(false);
    a.flush([]);
    b.flush([]);
    await Promise.all([listed, other]);
  });

  it('never sends a DPoP-bound token as a bearer token: the request fails as a 401 whose error is the AuthError', async () => {
    app({ tokenType: 'DPoP' });
    const http = TestBed.inject(HttpClient);
    const ctl = TestBed.inject(HttpTestingController);
    const failed = await firstValueFrom(http.get('https://api.example/items')).catch((e: unknown) => e);
    expect(failed).toMatchObject({ status: 401, error: { name: 'AuthError', code: 'invalid_config' } });
    ctl.expectNone('https://api.example/items');
  });

  it('signed out (user: null): the guard logs in, which signs the fake user in; logout signs out and leaves the guarded route', async () => {
    const auth = app({ user: null, signedOutUrl: '/bye' });
    expect(auth.status()).toBe('signed-out');
    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    const router = TestBed.inject(Router);
    expect(await router.navigateByUrl('/reports')).toBe(false);
    await vi.waitFor(() => expect(auth.status()).toBe('signed-in'));
    expect(await router.navigateByUrl('/reports')).toBe(true);
    const first = await auth.getAccessToken();
    expect((await auth.renew()).accessToken).not.toBe(first);
    await auth.logout();
    expect(auth.isAuthenticated()).toBe(false);
    await vi.waitFor(() => expect(router.url).toBe('/bye'));
  });
});

describe('withIdleSignOut', () => {
  it('shows the countdown as a signal and signs out when it ends', async () => {
    // A signed-in session stored, as after a login.
    TestBed.configureTestingModule({ providers: [provideConnectAuth(baseOptions())] });
    const first = TestBed.inject(ConnectAuth);
    await first.ready;
    const nav = w.nav.mock.calls.length;
    await first.login();
    setAddress(w.callbackFor(new URL(String(w.nav.mock.calls[nav]?.[0]))));
    await first.client?.handleRedirectCallback();
    TestBed.resetTestingModule();

    TestBed.configureTestingModule({ providers: [provideConnectAuth(baseOptions(), withIdleSignOut({ after: 2, countdown: 2 }))] });
    const auth = TestBed.inject(ConnectAuth);
    const idle = TestBed.inject(ConnectIdle);
    await auth.ready;
    expect(auth.status()).toBe('signed-in');
    await vi.waitFor(() => expect(idle.secondsLeft()).toBe(1), { timeout: 3_000 });
    await vi.waitFor(() => expect(auth.status()).toBe('signed-out'), { timeout: 3_000 });
  });
});

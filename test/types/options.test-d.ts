// Type tests (vitest typecheck): options a user builds from values that may be undefined (process.env, optional
// settings), and the types a user writes down, all importable from the package entry.
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AuthClient,
  type AuthClientOptions,
  type AuthError,
  type AuthEvents,
  type ConnectApiOptions,
  type ConnectClientOptions,
  connectApiUrl,
  createAuthClient,
  createConnectClient,
  type Handler,
  type LoginOptions,
  type LogoutOptions,
  type Session,
  type SessionStore,
} from '../../src/index.js';

declare const maybe: string | undefined;
declare const maybeNumber: number | undefined;
declare const maybeFlag: boolean | undefined;
declare const auth: AuthClient;

describe('optional options take undefined as well as a value', () => {
  it('AuthClientOptions', () => {
    const options: AuthClientOptions = {
      authority: 'https://idp.example',
      clientId: 'app',
      redirectUri: 'https://app.example/',
      silentRedirectUri: maybe,
      postLogoutRedirectUri: maybe,
      scope: maybe,
      tenantId: maybe,
      extraAuthorizationParams: undefined,
      storage: undefined,
      renewBeforeExpiry: maybeNumber,
      silentTimeout: maybeNumber,
      requestTimeout: maybeNumber,
      automaticSilentRenew: maybeFlag,
      shareAcrossTabs: maybeFlag,
      onSilentRenewFailure: undefined,
      logoutMethod: undefined,
      clockTolerance: maybeNumber,
      metadata: undefined,
    };
    expectTypeOf(createAuthClient).toBeCallableWith(options);
  });

  it('login and logout options', () => {
    const login: LoginOptions = { returnTo: maybe, prompt: maybe, loginHint: maybe, extraParams: undefined };
    const logout: LogoutOptions = { returnTo: maybe };
    expectTypeOf(auth.login).toBeCallableWith(login);
    expectTypeOf(auth.logout).toBeCallableWith(logout);
  });

  it('CONNECT options', () => {
    const client: ConnectClientOptions = {
      region: 'uswe',
      host: undefined,
      tenantId: 't',
      clientId: 'app',
      redirectUri: 'https://app.example/',
      silentRedirectUri: maybe,
    };
    const api: ConnectApiOptions = { host: 'https://connect.example', tenantId: 't', namespace: maybe, version: maybe };
    expectTypeOf(createConnectClient).toBeCallableWith(client);
    expectTypeOf(connectApiUrl).toBeCallableWith(api, 'Streams');
  });

  it('a CONNECT location is a region or a host, never both', () => {
    // @ts-expect-error: both
    const both: ConnectApiOptions = { region: 'uswe', host: 'https://connect.example', tenantId: 't' };
    // @ts-expect-error: not a region
    const typo: ConnectApiOptions = { region: 'usw', tenantId: 't' };
    void [both, typo];
  });
});

describe('types a user writes down', () => {
  it('Handler pairs each event with its value', () => {
    const onToken: Handler<'token'> = (s) => expectTypeOf(s).toEqualTypeOf<Session>();
    const onError: Handler<'renewError'> = (e) => expectTypeOf(e).toEqualTypeOf<AuthError>();
    expectTypeOf(auth.on<'token'>).toBeCallableWith('token', onToken);
    expectTypeOf(auth.on<'renewError'>).toBeCallableWith('renewError', onError);
    expectTypeOf<AuthEvents['logout']>().toEqualTypeOf<undefined>();
  });

  it('Session has optional parts that may be missing', () => {
    expectTypeOf<Session['idToken']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Session['accessToken']>().toEqualTypeOf<string>();
  });

  it('a SessionStore may be sync or async', () => {
    const sync: SessionStore = { get: () => null, set: () => {}, remove: () => {} };
    const map = new Map<string, string>();
    const async: SessionStore = {
      get: async (k) => map.get(k),
      set: async (k, v) => void map.set(k, v),
      remove: async (k) => void map.delete(k),
    };
    expectTypeOf(createAuthClient).toBeCallableWith({ authority: 'a', clientId: 'b', redirectUri: 'c', storage: sync });
    expectTypeOf(createAuthClient).toBeCallableWith({ authority: 'a', clientId: 'b', redirectUri: 'c', storage: async });
  });
});

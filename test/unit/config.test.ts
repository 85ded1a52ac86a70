import { describe, expect, it } from 'vitest';
import { type AuthClientOptions, resolveConfig } from '../../src/config.js';
import { AuthError, createAuthClient } from '../../src/index.js';
import { memoryStore } from '../../src/storage.js';
import { CLIENT_ID, ISSUER, REDIRECT_URI } from './support/fake-provider.js';

const required: AuthClientOptions = { authority: ISSUER, clientId: CLIENT_ID, redirectUri: REDIRECT_URI };
const withOptions = (o: Record<string, unknown>) => ({ ...required, ...o }) as AuthClientOptions;

/** The AuthError `createAuthClient` throws for these options. */
function configError(o: unknown): AuthError {
  try {
    createAuthClient(o as AuthClientOptions).dispose();
  } catch (e) {
    return e as AuthError;
  }
  throw new Error('createAuthClient accepted the options');
}

describe('resolveConfig', () => {
  it('applies the documented defaults', () => {
    const c = resolveConfig(required);
    expect(c).toMatchObject({
      authority: `${ISSUER}/`,
      clientId: CLIENT_ID,
      redirectUri: REDIRECT_URI,
      silentRedirectUri: REDIRECT_URI,
      scope: 'openid',
      params: {},
      storage: 'session',
      renewBeforeExpiry: 60,
      silentTimeout: 10_000,
      requestTimeout: 10_000,
      automaticSilentRenew: true,
      shareAcrossTabs: true,
      onSilentRenewFailure: 'event',
      logoutMethod: 'post',
      clockTolerance: 60,
      insecure: false,
    });
    expect(c.postLogoutRedirectUri).toBeUndefined();
    expect(c.metadata).toBeUndefined();
  });

  it('keeps the given options', () => {
    const store = memoryStore();
    const c = resolveConfig(
      withOptions({
        silentRedirectUri: 'http://localhost:3000/silent.html',
        postLogoutRedirectUri: 'http://localhost:3000/bye',
        scope: 'openid ocsapi',
        storage: store,
        renewBeforeExpiry: 0,
        silentTimeout: 5000,
        requestTimeout: 2000,
        automaticSilentRenew: false,
        shareAcrossTabs: false,
        onSilentRenewFailure: 'redirect',
        clockTolerance: 5,
      }),
    );
    expect(c).toMatchObject({
      silentRedirectUri: 'http://localhost:3000/silent.html',
      postLogoutRedirectUri: 'http://localhost:3000/bye',
      scope: 'openid ocsapi',
      renewBeforeExpiry: 0,
      silentTimeout: 5000,
      requestTimeout: 2000,
      automaticSilentRenew: false,
      shareAcrossTabs: false,
      onSilentRenewFailure: 'redirect',
      clockTolerance: 5,
    });
    expect(c.storage).toBe(store);
  });

  it('turns tenantId into acr_values=tenant:<id>, next to the extra parameters', () => {
    const c = resolveConfig(withOptions({ tenantId: 'abc', extraAuthorizationParams: { ui_locales: 'de' } }));
    expect(c.params).toEqual({ ui_locales: 'de', acr_values: 'tenant:abc' });
  });

  it('does not share the extra-parameters object it was given', () => {
    const extra = { ui_locales: 'de' };
    resolveConfig(withOptions({ extraAuthorizationParams: extra, tenantId: 'abc' }));
    expect(extra).toEqual({ ui_locales: 'de' });
  });

  it.each([
    [ISSUER, `${ISSUER}/`],
    [`${ISSUER}/`, `${ISSUER}/`],
    [`${ISSUER}/identity`, `${ISSUER}/identity`],
    [`${ISSUER}/identity/`, `${ISSUER}/identity/`],
  ])('reads authority %s as issuer %s (as written; discovery accepts either spelling)', (authority, issuer) => {
    expect(resolveConfig(withOptions({ authority })).authority).toBe(issuer);
  });

  it.each(['POST', 'delete', ''])('rejects logoutMethod %j', (logoutMethod) => {
    expect(configError(withOptions({ logoutMethod })).code).toBe('invalid_config');
  });

  it.each([true, 'on', {}, { token: 'yes' }])('rejects dpop %j at creation, not at the first login', (dpop) => {
    expect(configError(withOptions({ dpop })).code).toBe('invalid_config');
  });

  it('names the session after everything that changes what its token is for', () => {
    const key = (o: Record<string, unknown>) => resolveConfig(withOptions(o)).key;
    expect(resolveConfig(required).key).toBe(`cpk:${CLIENT_ID}@${ISSUER}/#openid`);
    const variants = [
      { clientId: 'other' },
      { scope: 'openid api2' },
      { tenantId: 't-1' },
      { tenantId: 't-2' },
      { extraAuthorizationParams: { resource: 'https://api2.example' } },
    ].map(key);
    expect(new Set([resolveConfig(required).key, ...variants]).size).toBe(variants.length + 1);
    // The same scope in another order, or another redirect, is the same session.
    expect(key({ scope: 'ocsapi openid' })).toBe(key({ scope: 'openid  ocsapi' }));
    expect(key({ redirectUri: 'http://localhost:3000/other' })).toBe(resolveConfig(required).key);
  });

  it.each([
    ['automaticSilentRenew', 'yes'],
    ['shareAcrossTabs', 0],
    ['onSilentRenewFailure', 'popup'],
    ['silentTimeout', 0],
    ['requestTimeout', 2 ** 31],
    ['silentTimeout', Number.NaN],
    ['redirectUri', 'javascript:alert(1)'],
    ['postLogoutRedirectUri', 'data:text/html,hi'],
    ['silentRedirectUri', 'https://other.example/silent.html'],
    ['scope', ' '],
  ])('rejects %s = %j with invalid_config', (name, value) => {
    expect(configError(withOptions({ [name]: value })).code).toBe('invalid_config');
  });

  it.each(['http://localhost:8080', 'http://127.0.0.1:8080/identity', 'http://[::1]:9000'])(
    'allows plain http on the loopback host %s',
    (authority) => {
      expect(resolveConfig(withOptions({ authority })).insecure).toBe(true);
    },
  );

  it('accepts inline metadata whose issuer is the authority, with or without the trailing slash', () => {
    expect(resolveConfig(withOptions({ metadata: { issuer: ISSUER } })).metadata).toEqual({ issuer: ISSUER });
    expect(() => resolveConfig(withOptions({ authority: `${ISSUER}/id`, metadata: { issuer: `${ISSUER}/id` } }))).not.toThrow();
  });

  it('accepts inline metadata of another issuer only when the issuer option names it', () => {
    const o = { authority: `${ISSUER}/identity`, metadata: { issuer: 'https://identity.example' } };
    expect(configError(withOptions(o)).message).toBe(
      `connect-pkce: "metadata.issuer": the provider's issuer is "https://identity.example", not the authority ` +
        `"${ISSUER}/identity"; if that issuer is right, set the "issuer" option to it`,
    );
    expect(resolveConfig(withOptions({ ...o, issuer: 'https://identity.example/' }))).toMatchObject({
      authority: `${ISSUER}/identity`,
      issuer: 'https://identity.example/',
    });
    const wrong = configError(withOptions({ ...o, issuer: 'https://elsewhere.example' }));
    expect(wrong.code).toBe('invalid_config');
    expect(wrong.message).toContain('not the "issuer" option "https://elsewhere.example/"');
  });

  it('leaves the issuer option out by default, so the authority is the expected issuer', () => {
    expect(resolveConfig(required).issuer).toBeUndefined();
  });
});

describe('invalid options', () => {
  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /options are required/],
    ['no authority', { clientId: CLIENT_ID, redirectUri: REDIRECT_URI }, /"authority" is required/],
    ['a relative authority', withOptions({ authority: '/identity' }), /"authority" must be an absolute URL/],
    ['an http authority on a real host', withOptions({ authority: 'http://idp.example' }), /https/],
    ['a look-alike loopback host', withOptions({ authority: 'http://localhost.evil.example' }), /https/],
    ['an authority with a query', withOptions({ authority: `${ISSUER}/?tenant=1` }), /query or fragment/],
    ['an authority with a fragment', withOptions({ authority: `${ISSUER}/#x` }), /query or fragment/],
    ['no clientId', withOptions({ clientId: '' }), /"clientId" is required/],
    ['a non-string clientId', withOptions({ clientId: 42 }), /"clientId" is required/],
    ['no redirectUri', withOptions({ redirectUri: undefined }), /"redirectUri" is required/],
    ['a relative redirectUri', withOptions({ redirectUri: '/callback' }), /"redirectUri" must be an absolute URL/],
    ['a relative silentRedirectUri', withOptions({ silentRedirectUri: 'silent.html' }), /"silentRedirectUri"/],
    ['a relative postLogoutRedirectUri', withOptions({ postLogoutRedirectUri: '/bye' }), /"postLogoutRedirectUri"/],
    ['an unknown storage name', withOptions({ storage: 'indexeddb' }), /"storage"/],
    ['a storage object without get', withOptions({ storage: { set() {}, remove() {} } }), /"storage"/],
    ['an empty tenantId', withOptions({ tenantId: '' }), /"tenantId"/],
    ['a numeric tenantId', withOptions({ tenantId: 7 }), /"tenantId"/],
    ['a negative renewBeforeExpiry', withOptions({ renewBeforeExpiry: -1 }), /"renewBeforeExpiry"/],
    ['a NaN silentTimeout', withOptions({ silentTimeout: Number.NaN }), /"silentTimeout"/],
    ['an infinite requestTimeout', withOptions({ requestTimeout: Number.POSITIVE_INFINITY }), /"requestTimeout"/],
    ['a string clockTolerance', withOptions({ clockTolerance: '60' }), /"clockTolerance"/],
    ['metadata of another issuer', withOptions({ metadata: { issuer: 'https://evil.example' } }), /"metadata.issuer"/],
    ['a relative issuer', withOptions({ issuer: '/identity' }), /"issuer" must be an absolute URL/],
    ['an empty issuer', withOptions({ issuer: '' }), /"issuer" is required/],
    ['an http issuer on a real host', withOptions({ issuer: 'http://identity.example' }), /"issuer" must use https/],
    ['an issuer with a query', withOptions({ issuer: 'https://identity.example/?x=1' }), /"issuer" must not have a query/],
  ])('%s → invalid_config', (_name, options, message) => {
    const err = configError(options);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe('invalid_config');
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/^connect-pkce: /);
  });

  it('keeps the URL parser error as cause', () => {
    expect(configError(withOptions({ redirectUri: 'not a url' })).cause).toBeInstanceOf(TypeError);
  });

  it('rejects a storage object without set and remove', () => {
    expect(configError(withOptions({ storage: { get: () => null }, shareAcrossTabs: false })).code).toBe('invalid_config');
  });
});

import type { AuthorizationServer } from 'oauth4webapi';
import { AuthError } from './errors.js';
import type { SessionStore, StorageOption } from './storage.js';

/** Options of {@link createAuthClient}. Only `authority`, `clientId` and `redirectUri` are required. */
export interface AuthClientOptions {
  /**
   * The provider's URL, e.g. `https://uswe.datahub.connect.aveva.com/identity`; discovery is fetched from
   * `{authority}/.well-known/openid-configuration`. It is also the expected issuer, unless `issuer` says otherwise.
   * A trailing slash is tolerated.
   */
  authority: string;
  /**
   * The issuer the provider's documents and tokens must name, when it is not the authority (some IdentityServer
   * deployments name another host). Without it a differing issuer is refused with `issuer_mismatch`, whose message
   * gives the value to set here. The ID token's `iss` and the RFC 9207 `iss` response parameter are checked against
   * it. A trailing slash is tolerated.
   * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
   */
  issuer?: string;
  /** The public client's ID (no secret: PKCE protects the code). */
  clientId: string;
  /** Where the provider sends the user back after login; must be registered exactly. */
  redirectUri: string;
  /** The page the hidden renewal iframe lands on (e.g. the shipped `silent-renew.html`). Default: `redirectUri`. */
  silentRedirectUri?: string;
  /** Where the provider sends the user after logout; must be registered exactly. */
  postLogoutRedirectUri?: string;
  /** Space-separated scopes. Default `'openid'`; CONNECT wants `'openid ocsapi'`. */
  scope?: string;
  /** CONNECT tenant: sends `acr_values=tenant:<tenantId>` on every authorization request, silent ones too. */
  tenantId?: string;
  /** More authorization-request parameters, sent on every request (interactive and silent). */
  extraAuthorizationParams?: Record<string, string>;
  /** Where the session lives: `'session'` (default), `'local'`, `'memory'`, or your own store. */
  storage?: StorageOption;
  /** Renew this many seconds before the access token expires (clamped to half its lifetime). Default 60. */
  renewBeforeExpiry?: number;
  /** How long the silent iframe may take, in ms. Default 10000. */
  silentTimeout?: number;
  /** How long one HTTP request to the provider may take, in ms. Default 10000. */
  requestTimeout?: number;
  /** Renew in the background before expiry. Default true. */
  automaticSilentRenew?: boolean;
  /** Share one session and one renewal among all tabs of this app. Default true. */
  shareAcrossTabs?: boolean;
  /** After a renewal ends in `login_required` (or kin), `getAccessToken()` rejects (`'event'`, default) or calls `login()` (`'redirect'`). */
  onSilentRenewFailure?: 'event' | 'redirect';
  /**
   * How `logout()` reaches the provider's end_session_endpoint. `'post'` (default) sends `id_token_hint` in a form
   * POST, out of every URL; `'get'` is for providers that refuse POST: it navigates with `client_id` and
   * `post_logout_redirect_uri` only (no token in the URL), so the provider may ask the user to confirm.
   */
  logoutMethod?: 'post' | 'get';
  /** Tolerated clock difference for ID-token time checks, in seconds. Default 60. */
  clockTolerance?: number;
  /** An inline discovery document: skips the discovery request. */
  metadata?: AuthorizationServer;
}

/** Options after validation, with every default applied. */
export interface ResolvedConfig {
  authority: string;
  /** The `issuer` option as a URL, when given; else the authority is the expected issuer. */
  issuer?: string;
  clientId: string;
  redirectUri: string;
  silentRedirectUri: string;
  postLogoutRedirectUri?: string;
  scope: string;
  params: Record<string, string>;
  storage: StorageOption | SessionStore;
  renewBeforeExpiry: number;
  silentTimeout: number;
  requestTimeout: number;
  automaticSilentRenew: boolean;
  shareAcrossTabs: boolean;
  onSilentRenewFailure: 'event' | 'redirect';
  logoutMethod: 'post' | 'get';
  clockTolerance: number;
  metadata?: AuthorizationServer;
  /** Plain http is allowed for loopback hosts only (RFC 8252 §7.3), e.g. a local demo provider. */
  insecure: boolean;
  /** A key that names this app's session: one per authority and client. */
  key: string;
}

const bad = (what: string) => new AuthError('invalid_config', `connect-pkce: ${what}`);

function absoluteUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !value) throw bad(`"${name}" is required`);
  try {
    return new URL(value);
  } catch (cause) {
    throw new AuthError('invalid_config', `connect-pkce: "${name}" must be an absolute URL`, { cause });
  }
}

function number(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw bad(`"${name}" must be a non-negative number`);
  return value;
}

/** An issuer identifier without its trailing slash, to compare two spellings of one authority. */
export const withoutSlash = (u: string): string => String(u).replace(/\/+$/, '');

const isLoopback = (u: URL) => /^(localhost|127(\.\d+){3}|\[::1\])$/.test(u.hostname);

/** An issuer-like URL option: absolute, https (plain http on loopback only), no query or fragment (RFC 8414 §2). */
function issuerUrl(name: string, value: unknown): URL {
  const u = absoluteUrl(name, value);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u)))
    throw bad(`"${name}" must use https (plain http only on localhost)`);
  if (u.search || u.hash) throw bad(`"${name}" must not have a query or fragment`);
  return u;
}

/** Whether two spellings name one issuer: equal, trailing slash aside (a non-string names none). */
export const sameIssuer = (a: unknown, b: string): boolean => typeof a === 'string' && withoutSlash(a) === withoutSlash(b);

/**
 * Why the provider's issuer is not acceptable for this config, naming both values and the option that fixes it
 * (a sentence without the `connect-pkce:` prefix).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export function issuerMismatchMessage(c: Pick<ResolvedConfig, 'authority' | 'issuer'>, actual: unknown): string {
  const named = JSON.stringify(String(actual));
  const expected = c.issuer ? `the "issuer" option "${c.issuer}"` : `the authority "${c.authority}"`;
  return `the provider's issuer is ${named}, not ${expected}; if that issuer is right, set the "issuer" option to it`;
}

/** Validates options and applies defaults; throws `AuthError('invalid_config')` on the first problem. */
export function resolveConfig(o: AuthClientOptions): ResolvedConfig {
  if (!o || typeof o !== 'object') throw bad('options are required');
  const at = issuerUrl('authority', o.authority);
  const issuer = o.issuer === undefined ? undefined : issuerUrl('issuer', o.issuer).href;
  if (typeof o.clientId !== 'string' || !o.clientId) throw bad('"clientId" is required');
  const redirectUri = absoluteUrl('redirectUri', o.redirectUri).href;
  const silentRedirectUri = absoluteUrl('silentRedirectUri', o.silentRedirectUri ?? redirectUri).href;
  if (o.postLogoutRedirectUri !== undefined) absoluteUrl('postLogoutRedirectUri', o.postLogoutRedirectUri);
  const storage = o.storage ?? 'session';
  if (
    typeof storage === 'string'
      ? !/^(session|local|memory)$/.test(storage)
      : !['get', 'set', 'remove'].every((m) => typeof storage?.[m as keyof SessionStore] === 'function')
  )
    throw bad('"storage" must be "session", "local", "memory" or an object with get, set and remove');
  if (o.logoutMethod !== undefined && o.logoutMethod !== 'post' && o.logoutMethod !== 'get')
    throw bad('"logoutMethod" must be "post" or "get"');
  const params: Record<string, string> = { ...o.extraAuthorizationParams };
  if (o.tenantId !== undefined) {
    if (typeof o.tenantId !== 'string' || !o.tenantId) throw bad('"tenantId" must be a non-empty string');
    params.acr_values = `tenant:${o.tenantId}`;
  }
  // Kept as written: discovery accepts the issuer with or without a trailing slash (see discovery.ts).
  const authority = at.href;
  const insecure = at.protocol === 'http:';
  if (o.metadata && !sameIssuer(o.metadata.issuer, issuer ?? authority))
    throw bad(`"metadata.issuer": ${issuerMismatchMessage({ authority, issuer }, o.metadata.issuer)}`);
  return {
    authority,
    issuer,
    clientId: o.clientId,
    redirectUri,
    silentRedirectUri,
    postLogoutRedirectUri: o.postLogoutRedirectUri,
    scope: o.scope ?? 'openid',
    params,
    storage,
    renewBeforeExpiry: number('renewBeforeExpiry', o.renewBeforeExpiry, 60),
    silentTimeout: number('silentTimeout', o.silentTimeout, 10_000),
    requestTimeout: number('requestTimeout', o.requestTimeout, 10_000),
    automaticSilentRenew: o.automaticSilentRenew ?? true,
    shareAcrossTabs: o.shareAcrossTabs ?? true,
    onSilentRenewFailure: o.onSilentRenewFailure ?? 'event',
    logoutMethod: o.logoutMethod ?? 'post',
    clockTolerance: number('clockTolerance', o.clockTolerance, 60),
    metadata: o.metadata,
    insecure,
    key: `cpk:${o.clientId}@${authority}`,
  };
}

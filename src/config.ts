import type { AuthorizationServer } from 'oauth4webapi';
import { AuthError } from './errors.js';
import type { SessionStore, StorageOption } from './storage.js';

/** Options of {@link createAuthClient}. Only `authority`, `clientId` and `redirectUri` are required. */
export interface AuthClientOptions {
  /** The issuer URL, e.g. `https://uswe.datahub.connect.aveva.com/identity`. A trailing slash is tolerated. */
  authority: string;
  /** The public client's ID (no secret: PKCE protects the code). */
  clientId: string;
  /** Where the provider sends the user back after login; must be registered exactly. */
  redirectUri: string;
  /** The page the hidden renewal iframe lands on (e.g. the shipped `silent-renew.html`). Default: `redirectUri`. */
  silentRedirectUri?: string | undefined;
  /** Where the provider sends the user after logout; must be registered exactly. */
  postLogoutRedirectUri?: string | undefined;
  /** Space-separated scopes. Default `'openid'`; CONNECT wants `'openid ocsapi'`. */
  scope?: string | undefined;
  /** CONNECT tenant: sends `acr_values=tenant:<tenantId>` on every authorization request, silent ones too. */
  tenantId?: string | undefined;
  /** More authorization-request parameters, sent on every request (interactive and silent). */
  extraAuthorizationParams?: Record<string, string> | undefined;
  /** Where the session lives: `'session'` (default), `'local'`, `'memory'`, or your own store. */
  storage?: StorageOption | undefined;
  /** Renew this many seconds before the access token expires (clamped to half its lifetime). Default 60. */
  renewBeforeExpiry?: number | undefined;
  /** How long the silent iframe may take, in ms. Default 10000. */
  silentTimeout?: number | undefined;
  /** How long one HTTP request to the provider may take, in ms. Default 10000. */
  requestTimeout?: number | undefined;
  /** Renew in the background before expiry. Default true. */
  automaticSilentRenew?: boolean | undefined;
  /** Share one session and one renewal among all tabs of this app. Default true. */
  shareAcrossTabs?: boolean | undefined;
  /** After a renewal ends in `login_required` (or kin), `getAccessToken()` rejects (`'event'`, default) or calls `login()` (`'redirect'`). */
  onSilentRenewFailure?: 'event' | 'redirect' | undefined;
  /**
   * How `logout()` reaches the provider's end_session_endpoint. `'post'` (default) sends `id_token_hint` in a form
   * POST, out of every URL; `'get'` is for providers that refuse POST: it navigates with `client_id` and
   * `post_logout_redirect_uri` only (no token in the URL), so the provider may ask the user to confirm.
   */
  logoutMethod?: 'post' | 'get' | undefined;
  /** Tolerated clock difference for ID-token time checks, in seconds. Default 60. */
  clockTolerance?: number | undefined;
  /** An inline discovery document: skips the discovery request. */
  metadata?: AuthorizationServer | undefined;
}

/** Options after validation, with every default applied. */
export interface ResolvedConfig {
  authority: string;
  clientId: string;
  redirectUri: string;
  silentRedirectUri: string;
  postLogoutRedirectUri?: string | undefined;
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
  metadata?: AuthorizationServer | undefined;
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

/** Validates options and applies defaults; throws `AuthError('invalid_config')` on the first problem. */
export function resolveConfig(o: AuthClientOptions): ResolvedConfig {
  if (!o || typeof o !== 'object') throw bad('options are required');
  const issuer = absoluteUrl('authority', o.authority);
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLoopback(issuer)))
    throw bad('"authority" must use https (plain http only on localhost)');
  if (issuer.search || issuer.hash) throw bad('"authority" must not have a query or fragment');
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
  const authority = issuer.href;
  const insecure = issuer.protocol === 'http:';
  if (o.metadata && withoutSlash(o.metadata.issuer) !== withoutSlash(authority))
    throw bad('"metadata.issuer" must equal "authority"');
  return {
    authority,
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

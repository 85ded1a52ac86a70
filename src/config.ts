import type { AuthorizationServer } from 'oauth4webapi';
import type { DPoPHooks } from './dpop-hooks.js';
import { AuthError } from './errors.js';
import type { Logger } from './log.js';
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
  issuer?: string | undefined;
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
  /**
   * After a renewal ends in `login_required` (or kin), `getAccessToken()` rejects (`'event'`, default), calls
   * `login()` (`'redirect'`), or `restore()` (`'restore'`: a top-level `prompt=none` round trip, no login form while
   * the provider session lives); at most once a minute either way.
   */
  onSilentRenewFailure?: 'event' | 'redirect' | 'restore' | undefined;
  /**
   * Right after an interactive login without a refresh token, learn with one `prompt=none` request in the hidden
   * iframe whether it can renew in this browser (see `silentRenewal`), instead of finding out at the first renewal.
   * Default true.
   */
  detectSilentRenewal?: boolean | undefined;
  /**
   * Receives the SDK's debug log: each step of login, callback, renewal (which path, why it failed, what holds the
   * next attempt), tab hand-overs and logout, as structured entries with no secret in them. Off by default; pass
   * `consoleLogger` to see it in the console.
   */
  logger?: Logger | undefined;
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
  /**
   * Sender-constrained tokens (DPoP, RFC 9449): pass `dpop()` from `connect-pkce/dpop`. Every token request then
   * carries a proof signed by a key that cannot leave this browser, and the provider must answer with a DPoP-bound
   * token; `createAuthorizedFetch` sends it as `Authorization: DPoP`. Off by default.
   * @see https://www.rfc-editor.org/rfc/rfc9449
   */
  dpop?: DPoPHooks | undefined;
  /**
   * Attributes added to the hidden renewal iframe, e.g. `{ allow: 'local-network-access *' }` for an app on a plant
   * or intranet host whose provider Chrome treats as a local-network request. The SDK's own attributes (`src`,
   * `name`, `style`, …) are set after them and win.
   */
  iframeAttributes?: Record<string, string> | undefined;
}

/** Options after validation, with every default applied. */
export interface ResolvedConfig {
  authority: string;
  /** The `issuer` option as a URL, when given; else the authority is the expected issuer. */
  issuer?: string | undefined;
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
  onSilentRenewFailure: 'event' | 'redirect' | 'restore';
  detectSilentRenewal: boolean;
  /** The `logger` option, or a function that does nothing. */
  log: Logger;
  logoutMethod: 'post' | 'get';
  clockTolerance: number;
  metadata?: AuthorizationServer | undefined;
  /** The `dpop` option. */
  dpop?: DPoPHooks | undefined;
  /** The `iframeAttributes` option (validated, possibly empty). */
  frame: Record<string, string>;
  /** Plain http is allowed for loopback hosts only (RFC 8252 §7.3), e.g. a local demo provider. */
  insecure: boolean;
  /** A key that names this app's session: see `sessionKey`. */
  key: string;
}

const bad = (what: string, cause?: unknown) => new AuthError('invalid_config', `connect-pkce: ${what}`, { cause });

/** An absolute http(s) URL: `javascript:`, `data:` and the like are never a place to send the user. */
function webUrl(name: string, value: unknown): URL {
  if (typeof value !== 'string' || !value) throw bad(`"${name}" is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw bad(`"${name}" must be an absolute URL`, cause);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad(`"${name}" must be an http or https URL`);
  return url;
}

/** setTimeout's ceiling: a longer delay fires at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Option `name` of `o`: a number from `min` to `max`, or `fallback` when not given. */
function number(o: AuthClientOptions, name: keyof AuthClientOptions, fallback: number, min: number, max: number): number {
  const value = o[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= min && value <= max))
    throw bad(`"${name}" must be a number from ${min} to ${max}`);
  return value;
}

/** Option `name` of `o`: one of `allowed`, or the first of them when not given. */
function oneOf<T extends string | boolean>(o: AuthClientOptions, name: keyof AuthClientOptions, allowed: readonly T[]): T {
  const value = o[name];
  if (value === undefined) return allowed[0] as T;
  if (!allowed.includes(value as T)) throw bad(`"${name}" must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`);
  return value as T;
}

/**
 * Authorization-request parameters the SDK sets itself. Another value would break the flow (`response_mode`: the
 * SDK reads the query only) or its checks (`state`, `nonce`, PKCE), so extra parameters may not name them.
 */
const RESERVED_PARAMS = /^(response_type|response_mode|client_id|redirect_uri|scope|state|nonce|code_challenge(_method)?|request(_uri)?)$/;

/** Checks extra authorization parameters (`extraAuthorizationParams`, `login({ extraParams })`). */
export function checkParams(name: string, params: unknown): Record<string, string> {
  if (params === undefined) return {};
  if (!params || typeof params !== 'object') throw bad(`"${name}" must be an object of strings`);
  for (const [k, v] of Object.entries(params)) {
    if (typeof v !== 'string') throw bad(`"${name}.${k}" must be a string`);
    if (RESERVED_PARAMS.test(k)) throw bad(`"${name}" may not set "${k}": the SDK sets it`);
    if (k === 'max_age' && !/^\d+$/.test(v)) throw bad(`"${name}.max_age" must be a whole number of seconds`);
  }
  return { ...(params as Record<string, string>) };
}

/**
 * Checks a `returnTo`: a path or URL on this page's origin, resolved against the current page. Anything else
 * (another origin, `javascript:`) is refused, so no user input passed through can make an open redirect.
 */
export function sameOriginUrl(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = new URL(String(value), location.href);
  } catch {
    // Reported below.
  }
  if (typeof value !== 'string' || url?.origin !== location.origin)
    throw new AuthError('invalid_return_to', 'connect-pkce: "returnTo" must be a path or a URL on this origin');
  return url;
}

/** An issuer identifier without its trailing slash, to compare two spellings of one authority. */
export const withoutSlash = (u: string): string => String(u).replace(/\/+$/, '');

/**
 * The name of a session in storage and between tabs: everything that changes what a token is for (client,
 * authority, scope in any order, tenant and other authorization parameters such as `resource` or `audience`), so
 * two clients of one app for different APIs never hand each other's tokens around.
 */
function sessionKey(clientId: string, authority: string, scope: string, params: Record<string, string>): string {
  const scopes = scope.split(/\s+/).filter(Boolean).sort().join(' ');
  const extra = Object.keys(params)
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k] as string)}`)
    .join('&');
  return `cpk:${clientId}@${authority}#${scopes}${extra ? `#${extra}` : ''}`;
}

export const isLoopback = (u: URL) => /^(localhost|127(\.\d+){3}|\[::1\])$/.test(u.hostname);

/** An issuer-like URL option: absolute, https (plain http on loopback only), no query or fragment (RFC 8414 §2). */
function issuerUrl(name: string, value: unknown): URL {
  const u = webUrl(name, value);
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
  const redirectUri = webUrl('redirectUri', o.redirectUri).href;
  const silent = webUrl('silentRedirectUri', o.silentRedirectUri ?? redirectUri);
  // The silent page posts its answer to its own origin, and the SDK reads the iframe's URL: both need this page's.
  if (typeof location !== 'undefined' && silent.origin !== location.origin)
    throw bad('"silentRedirectUri" must be on the app\'s own origin');
  if (o.postLogoutRedirectUri !== undefined) webUrl('postLogoutRedirectUri', o.postLogoutRedirectUri);
  const storage = o.storage ?? 'session';
  if (
    typeof storage === 'string'
      ? !/^(session|local|memory)$/.test(storage)
      : !['get', 'set', 'remove'].every((m) => typeof storage?.[m as keyof SessionStore] === 'function')
  )
    throw bad('"storage" must be "session", "local", "memory" or an object with get, set and remove');
  const params = checkParams('extraAuthorizationParams', o.extraAuthorizationParams);
  if (o.logger !== undefined && typeof o.logger !== 'function') throw bad('"logger" must be a function');
  // Checked here, not at the first login: `dpop: true` would otherwise fail there with a bare TypeError.
  if (o.dpop !== undefined && typeof o.dpop?.token !== 'function') throw bad('"dpop" must be what dpop() returns');
  if (o.scope !== undefined && (typeof o.scope !== 'string' || !o.scope.trim())) throw bad('"scope" must be a non-empty string');
  const scope = o.scope ?? 'openid';
  if (o.tenantId !== undefined) {
    if (typeof o.tenantId !== 'string' || !o.tenantId) throw bad('"tenantId" must be a non-empty string');
    params.acr_values = `tenant:${o.tenantId}`;
  }
  // Kept as written: discovery accepts the issuer with or without a trailing slash (see discovery.ts).
  const authority = at.href;
  const insecure = at.protocol === 'http:';
  if (o.metadata && !sameIssuer(o.metadata.issuer, issuer ?? authority))
    throw bad(`"metadata.issuer": ${issuerMismatchMessage({ authority, issuer }, o.metadata.issuer)}`);
  // The options used as given (clientId, postLogoutRedirectUri, metadata, dpop) are carried over; every other one
  // is replaced below by its checked value.
  return {
    ...o,
    authority,
    issuer,
    redirectUri,
    silentRedirectUri: silent.href,
    scope,
    params,
    storage,
    renewBeforeExpiry: number(o, 'renewBeforeExpiry', 60, 0, MAX_DELAY_MS / 1000),
    silentTimeout: number(o, 'silentTimeout', 10_000, 1, MAX_DELAY_MS),
    requestTimeout: number(o, 'requestTimeout', 10_000, 1, MAX_DELAY_MS),
    automaticSilentRenew: oneOf(o, 'automaticSilentRenew', [true, false]),
    shareAcrossTabs: oneOf(o, 'shareAcrossTabs', [true, false]),
    onSilentRenewFailure: oneOf(o, 'onSilentRenewFailure', ['event', 'redirect', 'restore']),
    detectSilentRenewal: oneOf(o, 'detectSilentRenewal', [true, false]),
    // A logger that throws must not break a login, a renewal or a logout.
    log: (entry) => {
      try {
        o.logger?.(entry);
      } catch {
        // Ignored on purpose.
      }
    },
    logoutMethod: oneOf(o, 'logoutMethod', ['post', 'get']),
    clockTolerance: number(o, 'clockTolerance', 60, 0, 86_400),
    frame: checkParams('iframeAttributes', o.iframeAttributes),
    insecure,
    key: sessionKey(o.clientId, authority, scope, params),
  };
}

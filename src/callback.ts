import {
  type AuthorizationServer,
  authorizationCodeGrantRequest,
  type Client,
  clockTolerance,
  None,
  processAuthorizationCodeResponse,
  validateAuthResponse,
} from 'oauth4webapi';
import type { ResolvedConfig } from './config.js';
import { AuthError, disposedError, toAuthError } from './errors.js';
import { tokenRequest } from './http.js';
import { isOpenId, type Transaction, type TransactionStore } from './login.js';
import { type LoginRef, type StoredSession, sessionFromTokenResponse } from './session.js';

/**
 * The authorization-response parameters of a callback URL (query only: the SDK never asks for fragment mode, so a
 * fragment such as IdentityServer's `#_=_` on error redirects is ignored). A URL that does not parse is no
 * authorization response: `invalid_response`.
 */
export function callbackParams(url: string | URL): URLSearchParams {
  try {
    return new URL(url, location.href).searchParams;
  } catch (cause) {
    throw new AuthError('invalid_response', 'The callback URL does not parse', { cause });
  }
}

/** Address-bar parameters of an authorization response, removed once it is handled. */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri'];

/**
 * Takes a handled response out of the address bar (without a navigation), when `url` is the page's own address:
 * its parameters, and IdentityServer's `#_=_` on error redirects (Duende 7.2+: `#_`), which a hash router would
 * read as a route. The app's own parameters and fragment stay.
 */
export function forgetResponse(url: string | URL): void {
  if (new URL(url, location.href).href !== location.href) return;
  const clean = new URL(location.href);
  for (const p of RESPONSE_PARAMS) clean.searchParams.delete(p);
  clean.hash = clean.hash.replace(/^#_(=_)?$/, '');
  history.replaceState(history.state, '', clean.href);
}

/** A path without its trailing slash: routers write `/auth-callback` for a registered `/auth-callback/`, and back. */
const trim = (path: string) => path.replace(/(.)\/$/, '$1');

/**
 * Whether a URL is an authorization response for this app: on the redirect URI's page (origin and path, with or
 * without a trailing slash), with `state` plus `code` or `error` (RFC 6749 §4.1.2). Another page's own `code` and
 * `state` parameters are not one. The token request still names the registered URI exactly.
 */
export function isCallbackUrl(url: string | URL, redirectUri: string): boolean {
  try {
    const u = new URL(url, location.href);
    const r = new URL(redirectUri);
    const p = u.searchParams;
    return u.origin === r.origin && trim(u.pathname) === trim(r.pathname) && p.has('state') && (p.has('code') || p.has('error'));
  } catch {
    return false;
  }
}

/**
 * The metadata to validate one authorization response against. RFC 9207 §2.4 has a client refuse a response without
 * `iss` from a provider that advertises `authorization_response_iss_parameter_supported`, but Duende IdentityServer
 * (CONNECT's kind of provider) advertises it and sends `iss` on successful responses only. An error response without
 * `iss` is therefore read as the provider's error (its `state` is still checked): it carries no code, so there is
 * nothing to mix up, and the app can tell `login_required` from a broken setup. A success without `iss`, and any
 * response whose `iss` is wrong, is still refused (`invalid_response`).
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
const responseMetadata = (as: AuthorizationServer, params: URLSearchParams): AuthorizationServer =>
  // `get`, not `has`: an empty `error` is no error to oauth4webapi, so such a response is a success and needs `iss`.
  params.get('error') && !params.has('iss') ? { ...as, authorization_response_iss_parameter_supported: false } : as;

/** The oauth4webapi client of a config: its ID and the tolerated clock difference. */
export const clientOf = (c: ResolvedConfig): Client => ({ client_id: c.clientId, [clockTolerance]: c.clockTolerance });

/**
 * Finds and consumes the transaction a callback's `state` names. None, unknown, expired or already used →
 * `state_mismatch` (RFC 6749 §10.12; RFC 9700 §4.7).
 */
export async function takeTransaction(
  store: TransactionStore,
  params: URLSearchParams,
  signal: AbortSignal,
): Promise<[string, Transaction]> {
  const state = params.get('state');
  const tx = state ? await store.take(state, signal) : undefined;
  if (signal.aborted) throw disposedError();
  if (!state || !tx) throw new AuthError('state_mismatch', 'The callback matches no pending login (unknown, expired or already used)');
  return [state, tx];
}

/**
 * The one path every authorization response takes, from the address bar or from the silent iframe: validate it
 * (state, RFC 9207 `iss` as `responseMetadata` explains, provider `error`), exchange the code with the PKCE
 * verifier (RFC 6749 §4.1.3, RFC 7636 §4.5), validate the ID token (nonce, iss, aud, exp; OpenID Connect Core
 * §3.1.3.7) and build the session. Nothing is stored here: the caller stores only what this returns. `login` is the
 * login the session belongs to: a new one for an interactive login, the session being renewed for a silent one.
 */
export async function exchangeCallback(
  as: AuthorizationServer,
  c: ResolvedConfig,
  params: URLSearchParams,
  state: string,
  tx: Transaction,
  login: LoginRef & Partial<StoredSession>,
  signal?: AbortSignal,
): Promise<StoredSession> {
  try {
    const client = clientOf(c);
    const validated = validateAuthResponse(responseMetadata(as, params), client, params, state);
    const response = await tokenRequest(c, signal, (o) =>
      authorizationCodeGrantRequest(as, client, None(), validated, tx.redirectUri, tx.verifier, o),
    );
    const receivedAt = Date.now();
    // oauth4webapi reads an undefined nonce or maxAge as absent; its option types just do not spell out undefined.
    const result = await processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: tx.nonce,
      maxAge: tx.maxAge,
      requireIdToken: isOpenId(c.scope),
    } as Parameters<typeof processAuthorizationCodeResponse>[3]);
    // The provider's browser session this response belongs to (a refresh, which has none, keeps the last one).
    return sessionFromTokenResponse(result, receivedAt, { ...login, sessionState: params.get('session_state') ?? undefined });
  } catch (e) {
    throw toAuthError(e);
  }
}

import { AuthorizationResponseError, ResponseBodyError } from 'oauth4webapi';

/** Errors the SDK raises itself. */
export type SdkErrorCode =
  /** An option is missing or malformed; raised by `createAuthClient`. */
  | 'invalid_config'
  /**
   * The provider's discovery document names another issuer than the expected one (the authority, or the `issuer`
   * option). The message names both values and the option to set. Not transient: the configuration must change.
   * (OpenID Connect Discovery 1.0 §4.3, https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation)
   */
  | 'issuer_mismatch'
  /** The callback's `state` matches no pending login (none, unknown, expired or already used). */
  | 'state_mismatch'
  /** The provider answered, but not as the protocol requires (iss, nonce, aud, non-JSON, …). */
  | 'invalid_response'
  /** The provider could not be reached, or answered with a server failure (HTTP 5xx). */
  | 'network'
  /** No answer in time: the silent iframe (`silentTimeout`) or an HTTP request. */
  | 'timeout'
  /** The client was disposed while the operation was running. */
  | 'disposed'
  /** A `returnTo` that is not a path or URL on the app's own origin (it would be an open redirect). */
  | 'invalid_return_to'
  /** `createAuthorizedFetch` was asked to send the token to an origin it was not given. */
  | 'untrusted_origin'
  /** Called where there is no browser window (server-side rendering): the client there is inert. */
  | 'not_in_browser'
  /** The browser blocked the popup (`loginWithPopup` / `renewWithPopup` not called from a click). */
  | 'popup_blocked'
  /** The user closed the popup before the login completed. */
  | 'popup_closed'
  /**
   * DPoP was asked for (`connect-pkce/dpop`) but this browser cannot keep its key: IndexedDB or WebCrypto is
   * unavailable (some private windows, storage blocked by policy). The SDK does not fall back to Bearer.
   */
  | 'dpop_unavailable'
  /**
   * DPoP was asked for, but the provider answered a token that is not DPoP-bound (`token_type` Bearer): it does not
   * support DPoP, or not for this client. The token is not used (see `dpop({ bearer })`).
   * (RFC 9449 §5, https://www.rfc-editor.org/rfc/rfc9449#section-5)
   */
  | 'dpop_not_bound';

/**
 * Errors the provider returns that the SDK knows by name, passed through with their own code. Any other code the
 * provider sends arrives as `'unknown_provider_error'` (see {@link AuthError.providerCode}).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 (authorization)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (token endpoint)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError (prompt=none)
 */
export type ProviderErrorCode =
  | 'login_required'
  | 'interaction_required'
  | 'consent_required'
  | 'account_selection_required'
  | 'access_denied'
  | 'invalid_request'
  | 'invalid_grant'
  | 'invalid_client'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable';

/**
 * Every code an {@link AuthError} can carry: a closed union, so `switch (err.code)` narrows each case and a
 * misspelt code does not compile. A provider code outside {@link ProviderErrorCode} arrives as
 * `'unknown_provider_error'`, with the code as sent in {@link AuthError.providerCode}.
 */
export type AuthErrorCode = SdkErrorCode | ProviderErrorCode | 'unknown_provider_error';

/** The one error type the SDK rejects with. Its message never contains a token, code or verifier. */
export class AuthError extends Error {
  /** Always `'AuthError'`. */
  override name = 'AuthError';
  /** Stable, machine-readable reason. */
  readonly code: AuthErrorCode;
  /** The provider's `error_description`, where it sent one. */
  readonly description?: string | undefined;
  /** The provider's `error` as sent, on every error the provider returned (known codes and unknown ones). */
  readonly providerCode?: string | undefined;

  constructor(
    code: AuthErrorCode,
    message?: string,
    options?: { cause?: unknown; description?: string | undefined; providerCode?: string | undefined },
  ) {
    super(message ?? code, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.description = options?.description;
    this.providerCode = options?.providerCode;
  }
}

/** The client was disposed while the operation ran: the one error every aborted wait rejects with. */
export const disposedError = (): AuthError => new AuthError('disposed', 'The client was disposed');

/** The provider codes the SDK knows by name (see {@link ProviderErrorCode}). */
const PROVIDER_CODE =
  /^((login|interaction|consent|account_selection)_required|access_denied|invalid_(request|grant|client|scope)|unauthorized_client|unsupported_response_type|server_error|temporarily_unavailable)$/;

/** Provider errors after which trying again silently cannot help: the user has to act (log in, consent, …). */
export const needsInteraction = (e: AuthError): boolean =>
  /^(login|interaction|consent|account_selection)_required$|^access_denied$|^invalid_grant$/.test(e.code);

/** Failures that may pass by themselves, so a renewal is retried with backoff. */
export const isTransient = (e: AuthError): boolean =>
  /^(network|timeout|server_error|temporarily_unavailable)$/.test(e.code);

/**
 * Turns anything thrown by oauth4webapi, fetch or the SDK into an {@link AuthError}. Its `cause` is a summary of
 * the original error (name, code, message, status), never the original itself: oauth4webapi's errors carry the
 * response body or the callback's parameters, and so a token or an authorization code.
 */
export function toAuthError(e: unknown): AuthError {
  if (e instanceof AuthError) return e;
  const err = e as { name?: string; code?: string; message?: string; cause?: unknown; status?: number };
  const status = err?.status ?? (err?.cause as Response | undefined)?.status ?? 0;
  const cause = { name: err?.name, code: err?.code, message: err?.message, status: status || undefined };
  if (e instanceof AuthorizationResponseError || e instanceof ResponseBodyError)
    return new AuthError(
      status >= 500 ? 'network' : PROVIDER_CODE.test(e.error) ? (e.error as ProviderErrorCode) : 'unknown_provider_error',
      e.error_description ?? e.error,
      { cause, description: e.error_description, providerCode: e.error },
    );
  const code =
    err?.name === 'AbortError' || err?.name === 'TimeoutError'
      ? 'timeout'
      : // fetch() rejects with a bare TypeError when the request fails (offline, DNS, CORS, TLS).
        (err?.name === 'TypeError' && !err.code) || status >= 500
        ? 'network'
        : 'invalid_response';
  return new AuthError(code, err?.message, { cause });
}

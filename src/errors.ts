import { AuthorizationResponseError, ResponseBodyError } from 'oauth4webapi';

/** Errors the SDK raises itself. */
export type SdkErrorCode =
  /** An option is missing or malformed; raised by `createAuthClient`. */
  | 'invalid_config'
  /**
   * The provider's discovery document names another issuer than the expected one (the authority, or the `issuer`
   * option). The message names both values and the option to set. Not transient: the configuration must change.
   * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
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
  | 'disposed';

/**
 * Errors the provider returns, passed through with their own code.
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
 * Every code an {@link AuthError} can carry. A provider may send codes outside the known ones; they are passed
 * through as sent, so the union stays open (`string & {}`) while `switch (err.code)` still narrows each case.
 */
export type AuthErrorCode = SdkErrorCode | ProviderErrorCode | (string & {});

/** The one error type the SDK rejects with. Its message never contains a token, code or verifier. */
export class AuthError extends Error {
  override name = 'AuthError';
  /** Stable, machine-readable reason. */
  readonly code: AuthErrorCode;
  /** The provider's `error_description`, where it sent one. */
  readonly description?: string;

  constructor(code: AuthErrorCode, message?: string, options?: { cause?: unknown; description?: string }) {
    super(message ?? code, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.description = options?.description;
  }
}

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
    return new AuthError(status >= 500 ? 'network' : e.error, e.error_description ?? e.error, {
      cause,
      description: e.error_description,
    });
  const code =
    err?.name === 'AbortError' || err?.name === 'TimeoutError'
      ? 'timeout'
      : // fetch() rejects with a bare TypeError when the request fails (offline, DNS, CORS, TLS).
        (err?.name === 'TypeError' && !err.code) || status >= 500
        ? 'network'
        : 'invalid_response';
  return new AuthError(code, err?.message, { cause });
}

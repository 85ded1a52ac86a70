import { getValidatedIdTokenClaims, type IDToken, type TokenEndpointResponse } from 'oauth4webapi';

/** What the app sees of a signed-in user. */
export interface Session {
  /** The bearer token for API calls. */
  accessToken: string;
  /** Usually `'bearer'`. */
  tokenType: string;
  /** When the access token expires, in ms since the epoch, by this browser's clock (from `expires_in`). */
  expiresAt: number;
  /** The granted scope, where the provider said. */
  scope?: string | undefined;
  /** The raw ID token (kept for the logout `id_token_hint`). */
  idToken?: string | undefined;
  /** The validated ID-token claims. */
  claims?: IDToken | undefined;
  /**
   * The provider's `session_state` from the last authorization response, where it sends one (OpenID Connect Session
   * Management 1.0 §2); `monitorSession` checks it against the provider's `check_session_iframe`.
   * @see https://openid.net/specs/openid-connect-session-1_0.html#CreatingUpdatingSessions
   */
  sessionState?: string | undefined;
}

/** The login a session belongs to: every renewal of a session keeps it; a new login (or account switch) gets a new one. */
export interface LoginRef {
  /** Random, per login. */
  loginId: string;
  /** Local time the login was made, ms. Later logins win over earlier ones in every tab; a logout refuses earlier ones. */
  loginAt: number;
}

/** The stored form: the session plus what renewals and tabs need and the app never sees. */
export interface StoredSession extends Session, LoginRef {
  /** Local time the token response arrived, ms: with `expiresAt` it gives the lifetime, and it orders renewals. */
  receivedAt: number;
  /** Only where the provider issues one (CONNECT clients with offline access, other providers). */
  refreshToken?: string | undefined;
}

/** Lifetime assumed when the provider omits `expires_in` (RFC 6749 §5.1 only recommends it): CONNECT's default. */
const DEFAULT_LIFETIME_S = 3600;

/** A new login's reference, made at `at` (ms). */
export const newLogin = (at: number): LoginRef => ({ loginId: Math.random().toString(36).slice(2), loginAt: at });

/**
 * Builds a session from a validated token response. The expiry is counted from the moment the response arrived,
 * never from the token's own `iat`/`exp`, so a browser clock minutes off still renews on time.
 * A renewal passes the session it replaces as `previous`: its login is kept, and so are the ID token and refresh
 * token a refresh response may omit. A login passes the new login's reference instead.
 */
export function sessionFromTokenResponse(
  r: TokenEndpointResponse,
  receivedAt: number,
  previous: (LoginRef & Partial<StoredSession>) | null,
): StoredSession {
  const claims = getValidatedIdTokenClaims(r);
  // A renewal is always newer than the session it replaces, even when both arrived within one millisecond.
  receivedAt = Math.max(receivedAt, (previous?.receivedAt ?? 0) + 1);
  return {
    accessToken: r.access_token,
    tokenType: r.token_type,
    expiresAt: receivedAt + (r.expires_in ?? DEFAULT_LIFETIME_S) * 1000,
    receivedAt,
    scope: r.scope ?? previous?.scope,
    idToken: r.id_token ?? previous?.idToken,
    claims: claims ?? previous?.claims,
    refreshToken: r.refresh_token ?? previous?.refreshToken,
    sessionState: previous?.sessionState,
    ...(previous ? { loginId: previous.loginId, loginAt: previous.loginAt } : newLogin(receivedAt)),
  };
}

/** The session as the app gets it: a copy without the refresh token and the SDK's bookkeeping. */
export function publicSession(s: StoredSession): Session {
  const { refreshToken: _r, receivedAt: _t, loginId: _i, loginAt: _a, ...rest } = s;
  return rest;
}

/**
 * Whether two sessions are ordered `a` before `b`: a later login wins over an earlier one (an account switch in
 * any tab); within one login, the token obtained later wins. Expiry does not count: a renewed token may have a
 * shorter lifetime than the one it replaced, and it is still the one to use (its refresh token is the live one).
 */
const isBefore = (a: StoredSession, b: StoredSession): boolean =>
  b.loginAt > a.loginAt || (b.loginAt === a.loginAt && b.loginId === a.loginId && b.receivedAt > a.receivedAt);

/** The newer of two sessions (see `isBefore`); `a` on a tie. */
export const newerSession = (a: StoredSession | null, b: StoredSession | null): StoredSession | null =>
  b && (!a || isBefore(a, b)) ? b : a;

/** Whether a value (read from storage or from another tab) has the stored session's shape. */
export function isStoredSession(s: unknown): s is StoredSession {
  const v = s as StoredSession | null;
  return (
    typeof v?.accessToken === 'string' &&
    typeof v.tokenType === 'string' &&
    Number.isFinite(v.expiresAt) &&
    Number.isFinite(v.receivedAt) &&
    Number.isFinite(v.loginAt) &&
    typeof v.loginId === 'string' &&
    (v.refreshToken === undefined || typeof v.refreshToken === 'string') &&
    (v.idToken === undefined || typeof v.idToken === 'string')
  );
}

/** Reads a stored session; anything malformed (corrupt JSON, an old format) reads as no session. */
export function parseSession(raw: string | null | undefined): StoredSession | null {
  try {
    const s: unknown = raw ? JSON.parse(raw) : null;
    return isStoredSession(s) ? s : null;
  } catch {
    return null;
  }
}

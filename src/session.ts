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
}

/** The stored form: the session plus what renewals need and the app never sees. */
export interface StoredSession extends Session {
  /** Local time the token response arrived, ms: with `expiresAt` it gives the lifetime. */
  receivedAt: number;
  /** Only where the provider issues one (CONNECT clients with offline access, other providers). */
  refreshToken?: string | undefined;
}

/** Lifetime assumed when the provider omits `expires_in` (RFC 6749 §5.1 only recommends it): CONNECT's default. */
const DEFAULT_LIFETIME_S = 3600;

/**
 * Builds a session from a validated token response. The expiry is counted from the moment the response arrived,
 * never from the token's own `iat`/`exp`, so a browser clock minutes off still renews on time.
 * A refresh response may omit the ID token or refresh token: those of `previous` are kept.
 */
export function sessionFromTokenResponse(
  r: TokenEndpointResponse,
  receivedAt: number,
  previous?: StoredSession | null,
): StoredSession {
  const claims = getValidatedIdTokenClaims(r);
  const s: StoredSession = {
    accessToken: r.access_token,
    tokenType: r.token_type,
    expiresAt: receivedAt + (r.expires_in ?? DEFAULT_LIFETIME_S) * 1000,
    receivedAt,
    scope: r.scope ?? previous?.scope,
    idToken: r.id_token ?? previous?.idToken,
    claims: claims ?? previous?.claims,
    refreshToken: r.refresh_token ?? previous?.refreshToken,
  };
  return s;
}

/** The session as the app gets it: a copy without the refresh token. */
export function publicSession(s: StoredSession): Session {
  const { refreshToken: _r, receivedAt: _t, ...rest } = s;
  return rest;
}

/** Reads a stored session; anything malformed (corrupt JSON, an old format) reads as no session. */
export function parseSession(raw: string | null | undefined): StoredSession | null {
  try {
    const s = raw ? JSON.parse(raw) : null;
    return typeof s?.accessToken === 'string' && typeof s.expiresAt === 'number' && typeof s.receivedAt === 'number'
      ? s
      : null;
  } catch {
    return null;
  }
}

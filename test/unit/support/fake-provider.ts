import { vi } from 'vitest';

/**
 * A small in-memory OpenID provider that replaces `globalThis.fetch`.
 *
 * - `GET {issuer}/.well-known/openid-configuration` serves {@link FakeProvider.metadata}.
 * - `POST {issuer}/token` behaves like a real token endpoint by default: it redeems only codes handed out by
 *   {@link FakeProvider.authorize}, once, for the same client and redirect URI, and only with the PKCE verifier
 *   whose S256 challenge was sent; it also redeems the refresh tokens it issued. Each test can replace the next
 *   answer with {@link FakeProvider.onToken} (a 400, a 500, non-JSON, a network failure, an ID token with
 *   tampered claims, …).
 *
 * ID tokens are unsigned-in-practice JWTs (`alg: RS256`, a dummy signature): oauth4webapi relies on TLS for the
 * token endpoint and does not verify their signature, but it does check every claim.
 */

export const ISSUER = 'https://idp.example';
export const CLIENT_ID = 'spa-client';
export const APP_ORIGIN = 'http://localhost:3000';
export const REDIRECT_URI = `${APP_ORIGIN}/callback`;
export const SILENT_REDIRECT_URI = `${APP_ORIGIN}/silent-renew.html`;
export const POST_LOGOUT_REDIRECT_URI = `${APP_ORIGIN}/signed-out`;

/** What the provider remembers about one authorization request, keyed by the code it issued for it. */
export interface Grant {
  clientId: string;
  redirectUri: string;
  nonce?: string | undefined;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: string | undefined;
  scope?: string | undefined;
  params: URLSearchParams;
  used: boolean;
}

/** A request the fake provider received. */
export interface RecordedRequest {
  url: string;
  method: string;
  body?: URLSearchParams | undefined;
}

/** The token-endpoint request a reply is built for. */
export interface TokenRequest {
  body: URLSearchParams;
  grantType: string | null;
  /** The authorization request behind `code`, when the code is one this provider issued. */
  grant?: Grant | undefined;
  signal?: AbortSignal | undefined;
  /** The request's headers (a DPoP proof, …). */
  headers?: Headers | undefined;
}

export type Reply = (req: TokenRequest) => Response | Promise<Response>;

/**
 * Changes to the next issued tokens. `claims` are merged into the ID token (a key set to `undefined` is dropped).
 * An ID token is sent for the authorization_code grant, and for a refresh only when `claims` or `idToken` is given
 * (as providers commonly do). `null` leaves a field out.
 */
export interface IssueOverrides {
  claims?: Record<string, unknown> | undefined;
  accessToken?: string;
  expiresIn?: number | null;
  refreshToken?: string | null;
  idToken?: string | null;
  scope?: string;
}

/** Options of {@link FakeProvider.authorize}: how the provider answers, including deliberately wrong answers. */
export interface AuthorizeOptions {
  /** `null` leaves `iss` out; a string sends that issuer. Default: the real issuer. */
  iss?: string | null;
  /** `null` leaves `state` out; a string replaces it. Default: the request's state. */
  state?: string | null;
  /** `false`: no `code` parameter. */
  code?: boolean;
  /** Answer with this error instead of a code. */
  error?: string;
  errorDescription?: string;
  /** More response parameters, e.g. IdentityServer's `session_state`. */
  extra?: Record<string, string>;
  /** A fragment on the redirect, e.g. IdentityServer's `_=_` on error redirects. */
  hash?: string;
}

export const b64url = (value: string | Uint8Array): string => Buffer.from(value).toString('base64url');

/** A JWT with the given claims, `alg: RS256` and a signature nobody checks. */
export function makeJwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' }) {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.${b64url('not-a-real-signature')}`;
}

/** Reads a JWT's payload. */
export const jwtClaims = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));

/** The S256 code challenge of a verifier (RFC 7636 §4.2), computed with WebCrypto. */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });

/** The token endpoint answers with an OAuth error body (RFC 6749 §5.2). */
export const oauthError =
  (error: string, status = 400, description?: string): Reply =>
  () =>
    json(description ? { error, error_description: description } : { error }, status);

/** The token endpoint fails with a server error and an HTML page. */
export const serverError =
  (status = 500): Reply =>
  () =>
    new Response('<html><body>Internal Server Error</body></html>', { status, headers: { 'content-type': 'text/html' } });

/** A 200 whose body is not JSON (a proxy's login page, say). */
export const notJson = (): Reply => () =>
  new Response('<html><body>Please sign in to the proxy</body></html>', {
    status: 200,
    headers: { 'content-type': 'text/html' },
  });

/** fetch rejects the way browsers do when the request fails: a bare TypeError. */
export const networkFailure = (): Reply => () => {
  throw new TypeError('Failed to fetch');
};

/** The request never gets an answer; it ends only when its AbortSignal fires. */
export const hang = (): Reply => (req) =>
  new Promise<Response>((_, reject) => {
    if (!req.signal) return;
    if (req.signal.aborted) reject(req.signal.reason);
    req.signal.addEventListener('abort', () => reject(req.signal?.reason));
  });

export class FakeProvider {
  readonly issuer: string;
  readonly clientId = CLIENT_ID;
  /** The discovery document; tests may change it before the first request. */
  metadata: Record<string, unknown>;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Lifetime of the tokens issued by default, in seconds. */
  expiresIn = 3600;
  /** Whether token responses carry a refresh token. */
  issueRefreshTokens = false;
  /** The `token_type` of issued tokens (`DPoP` for a provider that binds them to the proof's key). */
  tokenType = 'Bearer';
  /** The subject of the signed-in user. */
  sub = 'user-1';
  /** Every access token issued so far. */
  readonly issuedAccessTokens: string[] = [];

  private readonly grants = new Map<string, Grant>();
  private readonly refreshTokens = new Set<string>();
  private readonly tokenReplies: Reply[] = [];
  private readonly discoveryReplies: Reply[] = [];
  private counter = 0;

  /** Where the provider is served, its authority; by default the issuer (IdentityServer may name another issuer). */
  readonly base: string;

  constructor(issuer = ISSUER, authority = issuer) {
    this.issuer = issuer;
    const base = authority.replace(/\/$/, '');
    this.base = base;
    this.metadata = {
      issuer,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      end_session_endpoint: `${base}/logout`,
      jwks_uri: `${base}/jwks`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['RS256'],
      authorization_response_iss_parameter_supported: true,
    };
  }

  /** Replaces `globalThis.fetch` (undone by `vi.unstubAllGlobals()`). */
  install(): this {
    vi.stubGlobal('fetch', this.fetch);
    return this;
  }

  /** Where discovery lives for this issuer (OpenID Connect Discovery 1.0 §4). */
  get discoveryUrl(): string {
    return `${this.base}/.well-known/openid-configuration`;
  }

  get discoveryRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url === this.discoveryUrl);
  }

  get tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url === this.metadata.token_endpoint);
  }

  /** Replaces the next token-endpoint answer (queued: call it twice for two answers). */
  onToken(reply: Reply): this {
    this.tokenReplies.push(reply);
    return this;
  }

  /** Replaces the next discovery answer. */
  onDiscovery(reply: Reply): this {
    this.discoveryReplies.push(reply);
    return this;
  }

  /** The ID-token claims this provider issues for a grant (before overrides). */
  idTokenClaims(grant?: Grant): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: this.issuer,
      aud: this.clientId,
      sub: this.sub,
      iat: now,
      exp: now + 300,
      ...(grant?.nonce ? { nonce: grant.nonce } : {}),
    };
  }

  /**
   * Plays the provider's authorization endpoint for the URL the SDK navigated to (or put in its iframe): records
   * the request and returns the callback URL the browser would be sent to.
   */
  authorize(authorizationUrl: string | URL, o: AuthorizeOptions = {}): string {
    const url = new URL(authorizationUrl);
    const p = url.searchParams;
    const redirectUri = p.get('redirect_uri');
    if (!redirectUri) throw new Error('fake provider: no redirect_uri in the authorization request');
    const back = new URL(redirectUri);
    const state = o.state === undefined ? p.get('state') : o.state;
    if (state !== null) back.searchParams.set('state', state);
    if (o.error) {
      back.searchParams.set('error', o.error);
      if (o.errorDescription) back.searchParams.set('error_description', o.errorDescription);
    } else if (o.code !== false) {
      const code = `code-${++this.counter}-${crypto.randomUUID()}`;
      this.grants.set(code, {
        clientId: p.get('client_id') ?? '',
        redirectUri,
        nonce: p.get('nonce') ?? undefined,
        codeChallenge: p.get('code_challenge') ?? undefined,
        codeChallengeMethod: p.get('code_challenge_method') ?? undefined,
        scope: p.get('scope') ?? undefined,
        params: new URLSearchParams(p),
        used: false,
      });
      back.searchParams.set('code', code);
    }
    const iss = o.iss === undefined ? this.issuer : o.iss;
    if (iss !== null) back.searchParams.set('iss', iss);
    for (const [k, v] of Object.entries(o.extra ?? {})) back.searchParams.set(k, v);
    if (o.hash !== undefined) back.hash = o.hash;
    return back.href;
  }

  /** Issues tokens for a token request: the default answer, also usable from an {@link onToken} reply. */
  issue(req: TokenRequest, o: IssueOverrides = {}): Response {
    const n = ++this.counter;
    const accessToken = o.accessToken ?? `access-${n}-${crypto.randomUUID()}`;
    this.issuedAccessTokens.push(accessToken);
    const claims: Record<string, unknown> = { ...this.idTokenClaims(req.grant), ...o.claims };
    for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
    const body: Record<string, unknown> = { access_token: accessToken, token_type: this.tokenType };
    const expiresIn = o.expiresIn === undefined ? this.expiresIn : o.expiresIn;
    if (expiresIn !== null) body.expires_in = expiresIn;
    const scope = o.scope ?? req.grant?.scope;
    if (scope) body.scope = scope;
    const idToken = o.idToken === undefined ? makeJwt(claims) : o.idToken;
    if (idToken !== null && (req.grantType === 'authorization_code' || o.idToken || o.claims)) body.id_token = idToken;
    const refreshToken =
      o.refreshToken === undefined ? (this.issueRefreshTokens ? `refresh-${n}-${crypto.randomUUID()}` : null) : o.refreshToken;
    if (refreshToken !== null) {
      this.refreshTokens.add(refreshToken);
      body.refresh_token = refreshToken;
    }
    return json(body);
  }

  /** What a conforming token endpoint answers when no reply was queued. */
  private async defaultTokenReply(req: TokenRequest): Promise<Response> {
    const b = req.body;
    if (b.get('client_id') !== this.clientId) return json({ error: 'invalid_client' }, 401);
    if (req.grantType === 'refresh_token') {
      const rt = b.get('refresh_token') ?? '';
      if (!this.refreshTokens.delete(rt)) return json({ error: 'invalid_grant' }, 400);
      return this.issue(req);
    }
    if (req.grantType !== 'authorization_code') return json({ error: 'unsupported_grant_type' }, 400);
    const g = req.grant;
    if (!g || g.used) return json({ error: 'invalid_grant', error_description: 'unknown or used code' }, 400);
    g.used = true;
    if (b.get('redirect_uri') !== g.redirectUri) return json({ error: 'invalid_grant', error_description: 'redirect_uri' }, 400);
    if (g.codeChallengeMethod !== 'S256' || (await s256(b.get('code_verifier') ?? '')) !== g.codeChallenge)
      return json({ error: 'invalid_grant', error_description: 'PKCE verification failed' }, 400);
    return this.issue(req);
  }

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init.method ?? 'GET').toUpperCase();
    const body = init.body === undefined || init.body === null ? undefined : new URLSearchParams(String(init.body));
    this.requests.push({ url, method, body });
    const signal = init.signal ?? undefined;
    if (url === this.discoveryUrl && method === 'GET') {
      const reply = this.discoveryReplies.shift();
      return reply ? reply({ body: new URLSearchParams(), grantType: null, signal }) : json(this.metadata);
    }
    if (url === this.metadata.token_endpoint && method === 'POST' && body) {
      const grantType = body.get('grant_type');
      const code = body.get('code');
      const req: TokenRequest = { body, grantType, grant: code ? this.grants.get(code) : undefined, signal, headers: new Headers(init.headers) };
      const reply = this.tokenReplies.shift();
      return reply ? reply(req) : this.defaultTokenReply(req);
    }
    return new Response('not found', { status: 404 });
  };
}

import type { RequestListener } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type IssMode, mountAt } from '../../../examples/demo/identityserver.js';
import { createConnectLikeProvider, readForm } from '../../../examples/demo/provider.js';
import { testCert } from './certs.js';

// The provider's configuration (CONNECT-like client, login pages, cookies) lives in examples/demo/provider.ts, shared
// with `npm run demo`; this file adds what only tests need: HTTPS on a random port, a request log, an outage switch.
export { PASSWORD } from '../../../examples/demo/provider.js';

/** The single public client, shaped like an AVEVA CONNECT "authorization code client". */
export const CLIENT_ID = 'connect-pkce-e2e';

export interface ProviderOptions {
  /** Exact redirect URIs registered for the client (app origin is only known at test time). */
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** Access token lifetime in seconds (default 3600; renewal tests use 5-10), or a function of the request. */
  accessTokenTtl?: number | ((ctx: import('oidc-provider').KoaContext) => number);
  /** Issue a refresh token on every code exchange (default false, like CONNECT). */
  refreshTokens?: boolean;
  /**
   * Behave like CONNECT's IdentityServer, mounted at `/identity`: `iss` in authorization responses never, on
   * successes only or always; `otherIssuer` names an issuer other than the authority.
   */
  identityServer?: { iss: IssMode; otherIssuer?: boolean };
  /** OpenID Connect Session Management (check_session_iframe, session_state); always on with `identityServer`. */
  sessionManagement?: boolean;
  /** DPoP at the provider: `'on'` (default, oidc-provider's), `'nonce'` (server nonces required) or `'off'`. */
  dpop?: 'on' | 'nonce' | 'off';
}

export type RequestKind = 'authorize' | 'token';

export interface LoggedRequest {
  kind: RequestKind;
  path: string;
  /** Authorize: query (or form) params. Token: form params. Repeated params keep the last value. */
  params: Record<string, string>;
  /** Date.now() when the request arrived. */
  time: number;
  /** The HTTP status answered (not for requests made while down). */
  status?: number;
  /** Whether it carried a DPoP proof. */
  dpop?: boolean;
}

export interface ProviderHandle {
  /** Where the provider is served: `https://idp.test:<port>`, or `…/identity` like IdentityServer; no trailing slash. */
  authority: string;
  /** The issuer it names: the authority, or `https://identity.idp.test` with `identityServer.otherIssuer`. */
  issuer: string;
  port: number;
  clientId: string;
  /** Every authorization- and token-endpoint request, oldest first. */
  requests: LoggedRequest[];
  /** Count logged requests of a kind, optionally only those whose params match / pass a predicate. */
  count(kind: RequestKind, filter?: Record<string, string> | ((r: LoggedRequest) => boolean)): number;
  /** Forget the request log. */
  reset(): void;
  /** While down, the authorize and token endpoints answer 503 (still logged). */
  setDown(down: boolean): void;
  /** Destroy every provider session: the next prompt=none gets login_required. Tokens stay valid. */
  endAllSessions(): Promise<void>;
  close(): Promise<void>;
  /** Escape hatch for tests that need the oidc-provider instance itself. */
  provider: import('oidc-provider').default;
}

const ROUTES: Record<string, RequestKind> = {
  '/auth': 'authorize',
  '/token': 'token',
  '/connect/authorize': 'authorize',
  '/connect/token': 'token',
};

function flatten(input: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input ?? {})) {
    const value = Array.isArray(v) ? v.at(-1) : v;
    if (typeof value === 'string') out[k] = value;
  }
  return out;
}

export async function startProvider(opts: ProviderOptions): Promise<ProviderHandle> {
  const { key, cert } = await testCert();

  // Listen first: the issuer must contain the random port.
  let handler: RequestListener = (_req, res) => res.writeHead(503).end();
  const server = createServer({ key, cert }, (req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const is = opts.identityServer;
  const authority = `https://idp.test:${port}${is ? '/identity' : ''}`;
  const issuer = is?.otherIssuer ? 'https://identity.idp.test' : authority;

  // https issuer: cookies are SameSite=None; Secure, so the cross-site renew iframe works where 3P cookies are allowed.
  const provider = await createConnectLikeProvider({
    issuer,
    clientId: CLIENT_ID,
    redirectUris: opts.redirectUris,
    postLogoutRedirectUris: opts.postLogoutRedirectUris,
    accessTokenTtl: opts.accessTokenTtl,
    refreshTokens: opts.refreshTokens,
    logName: 'e2e provider',
    basePath: is ? '/identity' : undefined,
    identityServer: is,
    sessionManagement: opts.sessionManagement,
    dpop: opts.dpop,
  });

  const sessionIds = new Set<string>();
  provider.on('session.saved', (session: { jti: string }) => sessionIds.add(session.jti));

  const requests: LoggedRequest[] = [];
  let down = false;

  // Runs after the login pages and before the provider's router: request log and outage switch.
  provider.use(async (ctx, next) => {
    const kind = ROUTES[ctx.path];
    if (!kind || ctx.method === 'OPTIONS') return next();
    const time = Date.now();
    if (down) {
      const body = ctx.method === 'POST' ? await readForm(ctx.req) : {};
      requests.push({ kind, path: ctx.path, params: { ...flatten(ctx.query), ...body }, time });
      // Keep CORS so the SDK sees the 503 rather than an opaque network error.
      const origin = ctx.get('Origin');
      if (origin) ctx.set('Access-Control-Allow-Origin', origin);
      ctx.status = 503;
      ctx.type = 'text';
      ctx.body = 'provider is down (e2e outage)';
      return;
    }
    await next();
    // After next() the provider has parsed the form body (token, POST authorize).
    requests.push({ kind, path: ctx.path, params: { ...flatten(ctx.query), ...flatten(ctx.oidc?.body) }, time, status: ctx.status, dpop: !!ctx.get('DPoP') });
  });

  handler = is ? mountAt('/identity', provider.callback()) : provider.callback();

  const matches = (r: LoggedRequest, filter?: Record<string, string> | ((r: LoggedRequest) => boolean)) =>
    !filter || (typeof filter === 'function' ? filter(r) : Object.entries(filter).every(([k, v]) => r.params[k] === v));

  return {
    authority,
    issuer,
    port,
    clientId: CLIENT_ID,
    requests,
    provider,
    count: (kind, filter) => requests.filter((r) => r.kind === kind && matches(r, filter)).length,
    reset: () => {
      requests.length = 0;
    },
    setDown: (value) => {
      down = value;
    },
    endAllSessions: async () => {
      for (const jti of sessionIds) await provider.Session.adapter.destroy(jti);
      sessionIds.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
      }),
  };
}

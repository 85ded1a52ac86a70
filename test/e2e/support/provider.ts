import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, RequestListener } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KoaContext } from 'oidc-provider';
import { testCert } from './certs.js';

/** The single public client, shaped like an AVEVA CONNECT "authorization code client". */
export const CLIENT_ID = 'connect-pkce-e2e';
/** Any login name works with this password; the account id is the login name. */
export const PASSWORD = 'secret';

export interface ProviderOptions {
  /** Exact redirect URIs registered for the client (app origin is only known at test time). */
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** Access token lifetime in seconds (default 3600; renewal tests use 5-10). */
  accessTokenTtl?: number;
  /** Issue a refresh token on every code exchange (default false, like CONNECT). */
  refreshTokens?: boolean;
}

export type RequestKind = 'authorize' | 'token';

export interface LoggedRequest {
  kind: RequestKind;
  path: string;
  /** Authorize: query (or form) params. Token: form params. Repeated params keep the last value. */
  params: Record<string, string>;
  /** Date.now() when the request arrived. */
  time: number;
}

export interface ProviderHandle {
  /** `https://idp.test:<port>`, no trailing slash. */
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

const ROUTES: Record<string, RequestKind> = { '/auth': 'authorize', '/token': 'token' };

// Every default oidc-provider nags about (NOTICE) is replaced below; what remains are warnings
// about Node 20 and the in-memory adapter, both deliberate here. Drop just those two.
const NOISE = /oidc-provider WARNING: (Unsupported runtime|a quick start development-only in-memory adapter)/;
let oidcModule: Promise<typeof import('oidc-provider')> | undefined;
function loadOidcProvider() {
  if (!oidcModule) {
    for (const level of ['info', 'warn'] as const) {
      const original = console[level].bind(console);
      console[level] = (...args: unknown[]) => {
        if (typeof args[0] === 'string' && NOISE.test(args[0])) return;
        original(...args);
      };
    }
    // Dynamic import so the filter is in place before the module-level runtime warning.
    oidcModule = import('oidc-provider');
  }
  return oidcModule;
}

// One RSA signing key per process (id_token RS256); generating it per provider wastes time.
let signingJwk: object | undefined;
function jwks() {
  signingJwk ??= { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), use: 'sig' };
  return { keys: [signingJwk] };
}

const html = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, error?: string) {
  return html(
    'Sign in',
    `<h1>Sign in</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}" autocomplete="off">
  <label>Login <input name="login" autofocus required></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

function flatten(input: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input ?? {})) {
    const value = Array.isArray(v) ? v.at(-1) : v;
    if (typeof value === 'string') out[k] = value;
  }
  return out;
}

export async function startProvider(opts: ProviderOptions): Promise<ProviderHandle> {
  const { default: Provider } = await loadOidcProvider();
  const { key, cert } = await testCert();
  const accessTokenTtl = opts.accessTokenTtl ?? 3600;
  const refreshTokens = opts.refreshTokens ?? false;

  // Listen first: the issuer must contain the random port.
  let handler: RequestListener = (_req, res) => res.writeHead(503).end();
  const server = createServer({ key, cert }, (req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `https://idp.test:${port}`;

  // Cross-site iframe renew only works if the provider cookies may be sent as third-party.
  const crossSiteCookie = { httpOnly: true, sameSite: 'none', secure: true };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
        response_types: ['code'],
        redirect_uris: opts.redirectUris,
        post_logout_redirect_uris: opts.postLogoutRedirectUris ?? [],
      },
    ],
    jwks: jwks(),
    cookies: { keys: ['connect-pkce-e2e-cookie-key'], long: crossSiteCookie, short: crossSiteCookie },
    // ocsapi is CONNECT's API scope; unknown scopes would otherwise be dropped from the grant.
    scopes: ['openid', 'offline_access', 'profile', 'ocsapi'],
    claims: { openid: ['sub'], profile: ['name'] },
    // acrValues stays empty: then acr_values=tenant:<id> is treated as a voluntary acr claim
    // request and ignored rather than validated, which is how CONNECT's tenant hint behaves.
    pkce: { required: () => true },
    // RP-Initiated Logout 1.0 §2 has OPs accept POST; the SDK posts so the id_token_hint stays out of URLs.
    enableHttpPostMethods: true,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // Auto-confirm (logout=yes) so end_session lands on post_logout_redirect_uri unattended.
        logoutSource: async (ctx: KoaContext, form: string) => {
          ctx.body = html(
            'Signing out',
            `${form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>')}
<script>document.getElementById('op.logoutForm').submit()</script>`,
          );
        },
        postLogoutSuccessSource: async (ctx: KoaContext) => {
          ctx.body = html('Signed out', '<h1>Signed out</h1>');
        },
      },
    },
    interactions: { url: (_ctx: KoaContext, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // Skip consent: every authorization gets a fresh grant for exactly what it asked for.
    loadExistingGrant: async (ctx: KoaContext) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.account.accountId });
      grant.addOIDCScope(String(ctx.oidc.params.scope ?? 'openid'));
      grant.addOIDCClaims([...ctx.oidc.requestParamClaims]);
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx: KoaContext, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, name: id.charAt(0).toUpperCase() + id.slice(1) }),
    }),
    issueRefreshToken: async () => refreshTokens,
    // Tokens outlive the provider session (like CONNECT's JWTs), so endAllSessions() only
    // affects silent renew, not tokens the app already holds.
    expiresWithSession: async () => false,
    // Same rule as the default (public client: origins of its redirect URIs), minus the notice.
    clientBasedCORS: (_ctx: KoaContext, origin: string, client: { redirectUris: string[] }) =>
      client.redirectUris.some((uri) => new URL(uri).origin === origin),
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Interaction: 600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
    },
    renderError: async (ctx: KoaContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = html('Error', `<h1>${escapeHtml(out.error ?? 'error')}</h1><p>${escapeHtml(out.error_description ?? '')}</p>`);
    },
  });

  provider.on('server_error', (_ctx: unknown, err: unknown) => console.error('[e2e provider] server_error', err));

  const sessionIds = new Set<string>();
  provider.on('session.saved', (session: { jti: string }) => sessionIds.add(session.jti));

  const requests: LoggedRequest[] = [];
  let down = false;

  // Runs before the provider's router: request log, outage switch, login pages.
  provider.use(async (ctx, next) => {
    const kind = ROUTES[ctx.path];
    if (kind && ctx.method !== 'OPTIONS') {
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
      requests.push({ kind, path: ctx.path, params: { ...flatten(ctx.query), ...flatten(ctx.oidc?.body) }, time });
      return;
    }
    if (ctx.path.startsWith('/interaction/')) return interaction(ctx);
    return next();
  });

  async function interaction(ctx: KoaContext) {
    ctx.set('Cache-Control', 'no-store');
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'login') {
      // loadExistingGrant should make consent unreachable; fail loudly if it is not.
      ctx.status = 500;
      ctx.body = `unexpected prompt ${details.prompt.name}`;
      return;
    }
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = loginPage(details.uid);
      return;
    }
    const { login, password } = await readForm(ctx.req);
    if (!login || password !== PASSWORD) {
      ctx.type = 'html';
      ctx.body = loginPage(details.uid, 'Invalid login or password');
      return;
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: login } }, {
      mergeWithLastSubmission: false,
    });
    ctx.status = 303;
    ctx.redirect(returnTo);
  }

  handler = provider.callback();

  const matches = (r: LoggedRequest, filter?: Record<string, string> | ((r: LoggedRequest) => boolean)) =>
    !filter || (typeof filter === 'function' ? filter(r) : Object.entries(filter).every(([k, v]) => r.params[k] === v));

  return {
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

// An OpenID provider configured like AVEVA CONNECT's identity service, for the demo (`npm run demo`) and the e2e
// tests (test/e2e/support/provider.ts), which share this one definition:
// - one public "authorization code client": no secret, PKCE required, redirect URIs registered exactly;
// - no refresh token (unless asked), so a browser app renews through the hidden iframe (prompt=none);
// - `acr_values=tenant:<id>` accepted on every authorization request;
// - a login page where any user name signs in with the password `secret`; consent is never asked.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type Provider from 'oidc-provider';
import type { KoaContext } from 'oidc-provider';
import {
  CHECK_SESSION_PATH,
  IDENTITY_SERVER_ROUTES,
  type IssMode,
  isResponseTo,
  shapeLikeIdentityServer,
} from './identityserver.js';
import { addSessionManagement } from './session-management.js';

/** Any login name works with this password; the account id is the login name. */
export const PASSWORD = 'secret';

export interface ConnectLikeProviderOptions {
  /**
   * `https://host:port`, or plain `http://localhost:port` for a human's own browser. The scheme picks the cookies:
   * https gets `SameSite=None; Secure` (the renew iframe may then be cross-site), http gets `SameSite=Lax` without
   * `Secure` (browsers drop Secure cookies over http), which works while app and provider are the same site
   * (`localhost` on two ports).
   */
  issuer: string;
  clientId: string;
  /** Exact redirect URIs of the client, the silent renew page's included. */
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | undefined;
  /**
   * Origins the client's browser requests may come from (IdentityServer's `AllowedCorsOrigins`), checked on the token
   * endpoint and the other client endpoints. Default: the origins of the redirect URIs.
   */
  corsOrigins?: string[] | undefined;
  /** Access token lifetime in seconds, or a function of the request (oidc-provider's form); default 3600, CONNECT's. */
  accessTokenTtl?: number | ((ctx: KoaContext) => number) | undefined;
  /** Issue a refresh token on every code exchange; default false, like CONNECT. */
  refreshTokens?: boolean | undefined;
  /** Prefix of server-error log lines. */
  logName?: string;
  /** Where the provider is mounted on its host, e.g. `/identity` (serve it with `mountAt`). Default: the root. */
  basePath?: string | undefined;
  /**
   * Behave like IdentityServer (examples/demo/identityserver.ts): its routes, session_state, `#_=_`, error pages
   * that cannot be framed, and `iss` in authorization responses never (IdentityServer4), on successes only (Duende)
   * or always. Default: oidc-provider's own behaviour.
   */
  identityServer?: { iss: IssMode } | undefined;
  /**
   * OpenID Connect Session Management (examples/demo/session-management.ts): `check_session_iframe`, the browser
   * session cookie and `session_state`. Always on with `identityServer`; default off otherwise.
   */
  sessionManagement?: boolean | undefined;
  /**
   * DPoP (RFC 9449; oidc-provider's `features.dPoP`, on by default: a token request with a proof gets a DPoP-bound
   * token): `'nonce'` also requires a server nonce in every proof (RFC 9449 §8), as Duende IdentityServer can;
   * `'off'` ignores proofs and answers Bearer tokens, like a provider without DPoP. Default `'on'`.
   */
  dpop?: 'on' | 'nonce' | 'off' | undefined;
}

// Every default oidc-provider nags about (NOTICE) is replaced below; what remains are warnings about Node 20 and the
// in-memory adapter, both deliberate here. Drop just those two.
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
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(action: string, error?: string) {
  return html(
    'Sign in',
    `<h1>Sign in</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<p>Demo provider: any user name, password <code>${PASSWORD}</code>.</p>
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
  <label>Login <input name="login" autofocus required></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

/**
 * The provider, with its login pages installed as the first middleware. Serve it with `provider.callback()`;
 * middleware added later with `provider.use` runs after the login pages and before the provider's own routes.
 */
export async function createConnectLikeProvider(o: ConnectLikeProviderOptions): Promise<Provider> {
  const { default: Provider } = await loadOidcProvider();
  const refreshTokens = o.refreshTokens ?? false;
  const secure = new URL(o.issuer).protocol === 'https:';
  const base = o.basePath ?? '';
  const corsOrigins = o.corsOrigins ?? o.redirectUris.map((uri) => new URL(uri).origin);
  const cookie = secure ? { httpOnly: true, sameSite: 'none', secure: true } : { httpOnly: true, sameSite: 'lax', secure: false };

  const provider = new Provider(o.issuer, {
    clients: [
      {
        client_id: o.clientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
        response_types: ['code'],
        redirect_uris: o.redirectUris,
        post_logout_redirect_uris: o.postLogoutRedirectUris ?? [],
      },
    ],
    jwks: jwks(),
    cookies: { keys: ['connect-pkce-demo-cookie-key'], long: cookie, short: cookie },
    // ocsapi is CONNECT's API scope; unknown scopes would otherwise be dropped from the grant.
    scopes: ['openid', 'offline_access', 'profile', 'ocsapi'],
    claims: { openid: ['sub'], profile: ['name'] },
    // acrValues stays empty: then acr_values=tenant:<id> is treated as a voluntary acr claim
    // request and ignored rather than validated, which is how CONNECT's tenant hint behaves.
    pkce: { required: () => true },
    // RP-Initiated Logout 1.0 §2 has OPs accept POST; the SDK posts so the id_token_hint stays out of URLs.
    // oidc-provider allows it only with SameSite=None cookies; for http, see the middleware below.
    enableHttpPostMethods: secure,
    features: {
      devInteractions: { enabled: false },
      dPoP:
        o.dpop === 'nonce'
          ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
          : { enabled: o.dpop !== 'off' },
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
    interactions: { url: (_ctx: KoaContext, interaction: { uid: string }) => `${base}/interaction/${interaction.uid}` },
    ...(o.identityServer ? { routes: IDENTITY_SERVER_ROUTES } : {}),
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
    // Tokens outlive the provider session (like CONNECT's JWTs): ending the session only stops silent renewal.
    expiresWithSession: async () => false,
    // The client's allowed origins, like IdentityServer's AllowedCorsOrigins; by default oidc-provider's own rule (a
    // public client's redirect URI origins), minus its notice.
    clientBasedCORS: (_ctx: KoaContext, origin: string) => corsOrigins.includes(origin),
    ttl: {
      AccessToken: o.accessTokenTtl ?? 3600,
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

  provider.on('server_error', (_ctx: unknown, err: unknown) => console.error(`[${o.logName ?? 'provider'}] server_error`, err));

  if (o.identityServer) shapeLikeIdentityServer(provider, o.identityServer.iss, o.redirectUris);
  // IdentityServer always has it (CONNECT's may: see the field notes); elsewhere on request.
  if (o.identityServer || o.sessionManagement)
    addSessionManagement(provider, o.identityServer ? CHECK_SESSION_PATH : '/session/check', isResponseTo(o.redirectUris));
  provider.use(async (ctx, next) => (ctx.path.startsWith('/interaction/') ? interaction(ctx) : next()));

  // Over http the cookies are Lax, so oidc-provider registers no POST logout route. On loopback the app and the
  // provider are the same site, and a same-site POST does carry Lax cookies: hand the SDK's posted logout to the GET
  // route with the same parameters, inside this process (RP-Initiated Logout 1.0 §2 has OPs accept both methods).
  if (!secure)
    provider.use(async (ctx, next) => {
      if (ctx.method === 'POST' && ctx.path === (o.identityServer ? IDENTITY_SERVER_ROUTES.end_session : '/session/end')) {
        const form = new URLSearchParams(await readForm(ctx.req));
        const req = ctx.req as typeof ctx.req & { originalUrl?: string };
        // Mounted (`mountAt`), oidc-provider finds its mount as the part of originalUrl before url: keep both in step.
        const mount = req.originalUrl?.slice(0, req.originalUrl.indexOf(req.url ?? '')) ?? '';
        req.method = 'GET';
        req.url = `${ctx.path}?${form}`;
        if (req.originalUrl) req.originalUrl = mount + req.url;
      }
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
      ctx.body = loginPage(`${base}/interaction/${details.uid}`);
      return;
    }
    const { login, password } = await readForm(ctx.req);
    if (!login || password !== PASSWORD) {
      ctx.type = 'html';
      ctx.body = loginPage(`${base}/interaction/${details.uid}`, 'Invalid login or password');
      return;
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: login } }, {
      mergeWithLastSubmission: false,
    });
    ctx.status = 303;
    ctx.redirect(returnTo);
  }

  return provider;
}

// IdentityServer's behaviour, as CONNECT's identity server shows it, layered on the oidc-provider of provider.ts
// (issue 11; see /work/shared field notes §4): its routes, error redirects ending in `#_=_` (its session management,
// `session_state` and the check-session page, is in session-management.ts), "unsafe" errors shown as a page that cannot be framed instead of a redirect, framing headers on every
// page, and `iss` in authorization responses as IdentityServer4 (never), Duende (successes only) or RFC 9207 (always).
import type { RequestListener } from 'node:http';
import type Provider from 'oidc-provider';
import type { KoaContext } from 'oidc-provider';

/** How `iss` appears in authorization responses (RFC 9207) and in discovery. */
export type IssMode = 'never' | 'success' | 'always';

/** IdentityServer's endpoint paths, below its mount (`/identity` on CONNECT). */
export const IDENTITY_SERVER_ROUTES = {
  authorization: '/connect/authorize',
  token: '/connect/token',
  userinfo: '/connect/userinfo',
  end_session: '/connect/endsession',
  revocation: '/connect/revocation',
  introspection: '/connect/introspect',
  jwks: '/.well-known/openid-configuration/jwks',
};

/** IdentityServer's check-session page (`check_session_iframe`), made to be framed by the apps it serves. */
export const CHECK_SESSION_PATH = '/connect/checksession';

/** The errors IdentityServer sends back to the client; every other one renders its error page. */
const SAFE_ERRORS = new Set([
  'access_denied',
  'account_selection_required',
  'login_required',
  'consent_required',
  'interaction_required',
  'temporarily_unavailable',
  'unmet_authentication_requirements',
]);

/** IdentityServer's framing rule for its own pages (login, error, logout). */
export const NO_FRAMING = { 'X-Frame-Options': 'SAMEORIGIN', 'Content-Security-Policy': "frame-ancestors 'none'" };

const page = (title: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1></body></html>`;

/**
 * Installs the IdentityServer behaviour as middleware on `provider`. `redirectUris` are the client's, to recognise its
 * authorization responses (the first redirect and the one after the login page alike).
 */
export function shapeLikeIdentityServer(provider: Provider, iss: IssMode, redirectUris: string[]): void {
  const isResponse = isResponseTo(redirectUris);
  provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      const doc = ctx.body as Record<string, unknown>;
      if (iss === 'never') delete doc.authorization_response_iss_parameter_supported;
      else doc.authorization_response_iss_parameter_supported = true;
      return;
    }
    const location = ctx.response.get('Location');
    const to = location ? new URL(location, 'https://invalid.invalid') : undefined;
    if (to && isResponse(to) && (to.searchParams.has('code') || to.searchParams.has('error'))) return answer(ctx, to);
    if (/html/.test(ctx.response.get('Content-Type')) && ctx.path !== CHECK_SESSION_PATH) for (const [k, v] of Object.entries(NO_FRAMING)) ctx.set(k, v);
  });

  function answer(ctx: KoaContext, to: URL) {
    const error = to.searchParams.get('error');
    if (error && !SAFE_ERRORS.has(error)) {
      ctx.remove('Location');
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page('Sorry, there was an error');
      for (const [k, v] of Object.entries(NO_FRAMING)) ctx.set(k, v);
      return;
    }
    if (iss === 'never' || (iss === 'success' && error)) to.searchParams.delete('iss');
    if (error) to.hash = '_=_';
    ctx.set('Location', to.href);
  }
}

/** Whether a redirect goes to one of the client's redirect URIs: an authorization response. */
export const isResponseTo = (redirectUris: string[]) => (to: URL) =>
  redirectUris.some((u) => new URL(u).href === `${to.origin}${to.pathname}`);

/** Serves `app` below `basePath` (CONNECT: `/identity`), as a reverse proxy's path base would; 404 elsewhere. */
export function mountAt(basePath: string, app: RequestListener): RequestListener {
  return (req, res) => {
    const url = req.url ?? '/';
    if (url !== basePath && !url.startsWith(`${basePath}/`) && !url.startsWith(`${basePath}?`)) {
      res.writeHead(404).end();
      return;
    }
    // oidc-provider reads its mount from originalUrl, the way Express mounts set it.
    Object.assign(req, { originalUrl: url });
    req.url = url.slice(basePath.length) || '/';
    app(req, res);
  };
}

// OpenID Connect Session Management 1.0 on top of oidc-provider (which dropped it), for the demo and the e2e tests
// of `monitorSession` (issue 14), shaped like IdentityServer's: a readable browser-session cookie (`idsrv.session`),
// `session_state` on each successful authorization response, and a `check_session_iframe` page that compares the two.
// https://openid.net/specs/openid-connect-session-1_0.html
import { createHash, randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { KoaContext } from 'oidc-provider';

/** IdentityServer's cookie: the browser session's id, readable by its check-session page (not HttpOnly). */
export const SESSION_COOKIE = 'idsrv.session';

const b64url = (b: Buffer) => b.toString('base64url');

/** `session_state` (§3): a salted hash of the client, the app's origin and the browser session, and the salt. */
export function sessionState(clientId: string, origin: string, browserSession: string, salt = randomBytes(16).toString('hex')) {
  return `${b64url(createHash('sha256').update(clientId + origin + browserSession + salt).digest())}.${salt}`;
}

/**
 * The provider's iframe (§3.2): answers `client_id session_state` messages from its parent with `unchanged` when the
 * hash still matches the session cookie, `changed` when not (signed out, another user, cookie unreadable), `error`
 * for a malformed question.
 */
const CHECK_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>check session</title></head><body><script>
const cookie = (name) => document.cookie.split('; ').find((c) => c.startsWith(name + '='))?.slice(name.length + 1) ?? '';
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
addEventListener('message', async (e) => {
  if (e.source !== parent) return;
  const [clientId, state, extra] = typeof e.data === 'string' ? e.data.split(' ') : [];
  const salt = state?.split('.')[1];
  if (!clientId || !salt || extra !== undefined) return e.source.postMessage('error', e.origin);
  const sid = cookie(${JSON.stringify(SESSION_COOKIE)});
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(clientId + e.origin + sid + salt)));
  e.source.postMessage(sid && b64url(digest) + '.' + salt === state ? 'unchanged' : 'changed', e.origin);
});
</script></body></html>`;

/**
 * Adds session management to `provider`: the check-session page at `checkPath` (advertised as
 * `check_session_iframe`), the browser-session cookie set with every successful authorization response (its value
 * follows oidc-provider's session and account, so a new login or another user changes it) and cleared by a logout,
 * and `session_state` computed from it. `isResponse` recognises the client's authorization responses.
 */
export function addSessionManagement(provider: Provider, checkPath: string, isResponse: (to: URL) => boolean): void {
  provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
    if (ctx.path === checkPath) {
      ctx.type = 'html';
      ctx.body = CHECK_PAGE;
      return;
    }
    await next();
    const secure = ctx.secure || ctx.get('X-Forwarded-Proto') === 'https';
    const cookie = (value: string, maxAge?: number) =>
      `${SESSION_COOKIE}=${value}; Path=/${maxAge === undefined ? '' : `; Max-Age=${maxAge}`}${secure ? '; SameSite=None; Secure' : '; SameSite=Lax'}`;
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      // Served where this request came (below the mount, e.g. CONNECT's /identity), whatever the issuer is named.
      const url = (ctx.req as { originalUrl?: string }).originalUrl ?? ctx.path;
      const mount = url.split('?')[0]!.slice(0, -ctx.path.length);
      const doc = ctx.body as Record<string, string>;
      doc.check_session_iframe = `${new URL(String(doc.authorization_endpoint)).origin}${mount}${checkPath}`;
      return;
    }
    if (/\/confirm$/.test(ctx.path) && ctx.method === 'POST') {
      ctx.append('Set-Cookie', cookie('', 0));
      return;
    }
    const location = ctx.response.get('Location');
    const to = location ? new URL(location, 'https://invalid.invalid') : undefined;
    const session = ctx.oidc?.session as { jti?: string; accountId?: string } | undefined;
    const clientId = ctx.oidc?.client?.clientId;
    if (!to || !isResponse(to) || !to.searchParams.has('code') || !session?.jti || !clientId) return;
    const sid = createHash('sha256').update(`${session.jti} ${session.accountId}`).digest('hex').slice(0, 32);
    ctx.append('Set-Cookie', cookie(sid));
    to.searchParams.set('session_state', sessionState(clientId, to.origin, sid));
    ctx.set('Location', to.href);
  });
}

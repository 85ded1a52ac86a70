// The doctor's checks: what a real tenant must get right before the SDK can sign in and renew, each found from the
// terminal with the requests a browser would make. Nothing here needs a secret, and nothing is stored.
import type { AuthorizationServer } from 'oauth4webapi';
import { discoveryRequest } from 'oauth4webapi';
import { type AuthClientOptions, type ResolvedConfig, resolveConfig } from '../config.js';
import { acceptDiscoveryResponse } from '../discovery.js';
import { AuthError } from '../errors.js';
import { requestOptions } from '../http.js';
import { createAuthorizationRequest } from '../login.js';
import { type AuthorizeAnswer, askTokenEndpoint, clientFindings } from './client.js';
import { allowedOrigin, allowsOrigin, type Finding, found, PROPAGATION, reason } from './finding.js';

export type { Finding, Verdict } from './finding.js';

/** What the doctor is told: the SDK's own options (those it checks), and the app's origin for CORS. */
export type DoctorOptions = Pick<AuthClientOptions, 'authority' | 'issuer' | 'clientId' | 'redirectUri' | 'scope' | 'tenantId'> & {
  silentRedirectUri?: string | undefined;
  /** The app's origin, as the browser sends it in `Origin`. Default: the redirect URI's origin. */
  origin?: string | undefined;
};

/** Prompt=none errors that mean "the redirect URI is fine, the user just has no session here". */
const SESSION_ERRORS = /^(login|interaction|consent|account_selection)_required$/;
/** How an authorization endpoint's error page names a client it does not know (oidc-provider; IdentityServer's description). */
const UNKNOWN_CLIENT = /\b(invalid_client|unknown client)\b/i;

/**
 * Discovery (OpenID Connect Discovery 1.0 §4) from the authority, then the SDK's own issuer check on the document.
 * The browser's first request is this one (unless the app passes `metadata`), a cross-origin GET that it lets the app
 * read only with CORS: the doctor sends the app's `Origin` and checks the answer, since a provider or gateway can
 * allow the origin on the token endpoint and not here.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
async function discovery(c: ResolvedConfig, origin: string, out: Finding[]): Promise<AuthorizationServer | undefined> {
  const url = `${c.authority.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await discoveryRequest(new URL(c.authority), { ...requestOptions(c), headers: { Origin: origin } });
  } catch (e) {
    out.push(found('discovery', 'fail', `${url} cannot be reached: ${reason(e)}`, 'check --region or --authority'));
    return undefined;
  }
  const copy = response.clone();
  let doc: AuthorizationServer;
  try {
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    doc = await copy.json();
    if (typeof doc?.issuer !== 'string') throw new Error('no issuer');
  } catch (e) {
    out.push(found('discovery', 'fail', `${url} is no discovery document: ${reason(e)}`, 'check --region or --authority'));
    return undefined;
  }
  if (allowsOrigin(response, origin)) out.push(found('discovery', 'ok', `${url}, allows ${origin} (${allowedOrigin(response)})`));
  else
    out.push(
      found(
        'discovery',
        'fail',
        `${url} does not allow ${origin} (${allowedOrigin(response)}): the browser cannot read it, so no login starts`,
        `add ${origin} to the client's allowed CORS origins (AllowedCorsOrigins), and have any gateway in front of the provider pass its CORS headers on discovery too; or give the SDK the metadata option; ${PROPAGATION}`,
      ),
    );
  try {
    await acceptDiscoveryResponse(c, response);
    out.push(found('issuer', 'ok', c.issuer ? `${doc.issuer} (the issuer option; the authority differs)` : `${doc.issuer} = authority`));
  } catch (e) {
    const fix = `set issuer: ${JSON.stringify(doc.issuer)} in the client options (doctor: --issuer ${doc.issuer})`;
    out.push(found('issuer', 'fail', e instanceof AuthError ? e.message.replace(/^connect-pkce: /, '') : reason(e), fix));
  }
  return doc;
}

/** The endpoints and PKCE method the SDK relies on (RFC 8414 §2; RFC 7636 §4.3). */
function metadata(doc: AuthorizationServer, out: Finding[]) {
  const missing = (['authorization_endpoint', 'token_endpoint'] as const).filter((k) => typeof doc[k] !== 'string');
  if (missing.length) out.push(found('endpoints', 'fail', `missing ${missing.join(', ')}`, 'is the authority an OpenID provider?'));
  else out.push(found('endpoints', 'ok', `authorization ${doc.authorization_endpoint}, token ${doc.token_endpoint}`));
  if (doc.end_session_endpoint) out.push(found('end_session', 'ok', doc.end_session_endpoint));
  else out.push(found('end_session', 'warn', 'no end_session_endpoint', 'logout() can only forget the session in the browser'));
  // Optional: only monitorSession (connect-pkce/session-monitor) uses it (OpenID Connect Session Management 1.0 §3.3).
  const check = (doc as { check_session_iframe?: unknown }).check_session_iframe;
  if (typeof check === 'string') out.push(found('check_session', 'ok', `${check} (monitorSession can notice a logout at the provider)`));
  else out.push(found('check_session', 'skip', 'no check_session_iframe: monitorSession would stay off'));
  const methods = doc.code_challenge_methods_supported;
  if (methods?.includes('S256')) out.push(found('pkce', 'ok', `S256 among ${methods.join(', ')}`));
  else if (!methods) out.push(found('pkce', 'warn', 'code_challenge_methods_supported not advertised', 'the SDK sends S256; check that the client requires PKCE'));
  else out.push(found('pkce', 'fail', `only ${methods.join(', ')}`, 'the provider must support PKCE S256'));
}

/**
 * Whether the provider advertises DPoP (RFC 9449 §5.1, `dpop_signing_alg_values_supported`), for `connect-pkce/dpop`,
 * which signs its proofs with ES256. The APIs the app calls must accept DPoP-bound tokens too: no request made
 * without a token can tell, so the finding says how to learn it.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1
 */
function dpop(doc: AuthorizationServer, out: Finding[]) {
  const algs = (doc as { dpop_signing_alg_values_supported?: unknown }).dpop_signing_alg_values_supported;
  if (!Array.isArray(algs)) {
    out.push(found('dpop', 'skip', "no dpop_signing_alg_values_supported: the provider does not advertise DPoP; leave the dpop option off (with it, logins fail with dpop_not_bound)"));
    return;
  }
  const apis = 'check that the APIs the app calls accept DPoP tokens (Authorization: DPoP) before turning it on: sign in with dpop() and call one';
  if (algs.includes('ES256')) out.push(found('dpop', 'ok', `DPoP advertised (${algs.join(', ')}): dpop() from connect-pkce/dpop can bind tokens; ${apis}`));
  else out.push(found('dpop', 'warn', `DPoP advertised for ${algs.join(', ')} only, not ES256, which connect-pkce/dpop signs with`, 'leave the dpop option off'));
}

/** Errors of an authorization request that say the request itself was fine and only the user's session is missing. */
const offlineAllowed = (error: string | null | undefined) => !error || SESSION_ERRORS.test(error);

/**
 * Whether this client gets refresh tokens: the SDK's `prompt=none` request with `offline_access` added to the scope.
 * IdentityServer (CONNECT) checks the scope against the client before it looks for a session: a client without
 * AllowOfflineAccess gets `invalid_scope`, one with it the usual `login_required`. Other providers may drop the scope
 * quietly instead, so an accepted request is reported as "should", and the first login tells for sure.
 */
async function offlineAccess(c: ResolvedConfig, doc: AuthorizationServer, out: Finding[]) {
  const scopes = doc.scopes_supported;
  if (scopes && !scopes.includes('offline_access')) {
    out.push(found('offline_access', 'skip', 'the provider does not list offline_access: no refresh tokens; renewals use the hidden iframe'));
    return;
  }
  const asked = /(^|\s)offline_access(\s|$)/.test(c.scope);
  const { url } = await createAuthorizationRequest(doc, { ...c, scope: asked ? c.scope : `${c.scope} offline_access` }, { redirectUri: c.redirectUri, prompt: 'none' });
  let to: URL | undefined;
  try {
    const location = (await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(c.requestTimeout) })).headers.get('location');
    to = location ? new URL(location, url) : undefined;
  } catch {
    // Reported below as not learnt.
  }
  const error = to?.searchParams.get('error') ?? null;
  const learn = "sign in once with offline_access in the scope: auth.silentRenewal is then 'refresh_token'";
  if (!to?.searchParams.has('state')) out.push(found('offline_access', 'skip', 'could not tell whether this client gets refresh tokens', learn));
  else if (error === 'invalid_scope')
    out.push(
      found(
        'offline_access',
        asked ? 'fail' : 'ok',
        `client ${c.clientId} may not ask for offline_access (invalid_scope): no refresh token; renewals use the hidden iframe, and need the user where the browser blocks third-party cookies`,
        asked
          ? `remove offline_access from the scope, or allow offline access for the client (IdentityServer: AllowOfflineAccess); ${PROPAGATION}`
          : undefined,
      ),
    );
  else if (offlineAllowed(error))
    out.push(
      found(
        'offline_access',
        'ok',
        asked
          ? 'offline_access is accepted for this client and the scope asks for it: a refresh token should come back, and renewals use it'
          : 'offline_access is accepted for this client: with it in the scope a refresh token should come back (renewals without the iframe)',
      ),
    );
  else out.push(found('offline_access', 'skip', `a prompt=none request with offline_access came back with error=${error}`, learn));
}

/** One redirect URI's check: its finding, and the answer the client and framing checks read. */
interface Probe extends AuthorizeAnswer {
  finding: Finding;
  /** The authorization endpoint's answer, when it answered. */
  response?: Response | undefined;
}

/**
 * Whether a redirect URI is registered: the SDK's own `prompt=none` authorization request (PKCE S256, the tenant's
 * `acr_values`), not followed. A registered URI gets a redirect back to it (without a provider session,
 * `error=login_required`); an unregistered one, or an unknown client, gets the provider's error page, which in the
 * hidden iframe never answers (OpenID Connect Core §3.1.2.6; RFC 6749 §4.1.2.1 forbids redirecting to an unverified
 * URI). The finding is returned, not reported: an unknown client makes it say nothing more (see client.ts).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 */
async function redirectUri(c: ResolvedConfig, doc: AuthorizationServer, uri: string, what: string): Promise<Probe> {
  const { url } = await createAuthorizationRequest(doc, c, { redirectUri: uri, prompt: 'none' });
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(c.requestTimeout) });
  } catch (e) {
    return { uri, check: what, back: false, finding: found(what, 'fail', `the authorization endpoint cannot be reached: ${reason(e)}`) };
  }
  const location = response.headers.get('location');
  const to = location ? new URL(location, url) : undefined;
  const registered = new URL(uri);
  const back = !!to && to.origin + to.pathname === registered.origin + registered.pathname;
  if (!back) {
    const answer = to ? `a redirect to ${to.origin}${to.pathname}` : `HTTP ${response.status} ${response.headers.get('content-type')?.split(';')[0] ?? ''}`.trim();
    // The error page's words (or its address's `error`) are the only place the provider may say why.
    const page = `${to?.searchParams.get('error') ?? ''} ${await response.text().catch(() => '')}`;
    const fix = `register ${uri} exactly as a redirect URI of client ${c.clientId} (RedirectUris); ${PROPAGATION}`;
    const finding = found(what, 'fail', `${uri} is not accepted: a prompt=none request got ${answer} instead of a redirect back`, fix);
    return { uri, check: what, back, response, finding, unknownClient: UNKNOWN_CLIENT.exec(page)?.[0] };
  }
  const error = to?.searchParams.get('error');
  const finding =
    offlineAllowed(error)
      ? found(what, 'ok', `${uri} is registered: prompt=none came back${error ? ` with error=${error}` : ' with a code'}`)
      : found(what, 'warn', `${uri} is registered, but prompt=none came back with error=${error}`, to?.searchParams.get('error_description') ?? "see the provider's logs");
  return { uri, check: what, back, response, finding };
}

/** The framing rules of a response: X-Frame-Options, and CSP `frame-ancestors` (CSP Level 3 §6.4.2). */
function framingOf(response: Response): string | undefined {
  const xfo = response.headers.get('x-frame-options');
  const ancestors = /frame-ancestors[^;]*/i.exec(response.headers.get('content-security-policy') ?? '')?.[0];
  return [xfo && `X-Frame-Options: ${xfo}`, ancestors].filter(Boolean).join(', ') || undefined;
}

/**
 * Framing on the authorization endpoint, for the silent request: the hidden iframe works only while the provider
 * answers it with a redirect; a page there (error or login) is refused by its framing headers, or simply never posts
 * back, and the SDK ends in `timeout`.
 * @see https://www.rfc-editor.org/rfc/rfc7034
 */
function framing(probe: Probe, out: Finding[]) {
  if (!probe.response) return; // the authorization endpoint was not reached: its finding says so
  const rules = framingOf(probe.response);
  if (probe.back && !rules) out.push(found('framing', 'ok', 'the silent request is answered by a redirect, so the iframe comes back'));
  else if (probe.back)
    out.push(found('framing', 'warn', `the redirect back carries ${rules}`, 'if renewals time out in the browser, ask why the redirect denies framing'));
  else
    out.push(
      found(
        'framing',
        'fail',
        `the silent request gets a page${rules ? ` that cannot be framed (${rules})` : ''}: in the hidden iframe the SDK waits until its timeout`,
        'see silent_redirect_uri (or redirect_uri) above',
      ),
    );
}

/**
 * Runs every check in order; later checks that need the discovery document are left out when it failed, and those
 * that depend on the client are reported as not checked when the provider does not know it.
 */
export async function runDoctor(o: DoctorOptions): Promise<Finding[]> {
  const out: Finding[] = [];
  let c: ResolvedConfig;
  try {
    c = resolveConfig({ ...o, storage: 'memory', shareAcrossTabs: false });
  } catch (e) {
    return [found('options', 'fail', reason(e))];
  }
  let origin = new URL(c.redirectUri).origin;
  try {
    if (o.origin !== undefined) origin = new URL(o.origin).origin;
  } catch {
    return [found('options', 'fail', `--origin ${o.origin} is no URL`, 'pass the app origin, e.g. https://app.example.com')];
  }
  const doc = await discovery(c, origin, out);
  if (!doc) return out;
  metadata(doc, out);
  dpop(doc, out);
  if (!doc.authorization_endpoint || !doc.token_endpoint) return out;
  const token = await askTokenEndpoint(c, doc, origin);
  const login = await redirectUri(c, doc, c.redirectUri, 'redirect_uri');
  const silent = c.silentRedirectUri !== c.redirectUri ? await redirectUri(c, doc, c.silentRedirectUri, 'silent_redirect_uri') : undefined;
  const probes = silent ? [login, silent] : [login];
  const client = clientFindings(c, origin, token, probes);
  out.push(...client.findings);
  if (client.unknown) return out;
  out.push(...probes.map((p) => p.finding));
  framing(silent ?? login, out);
  if (login.back) await offlineAccess(c, doc, out);
  return out;
}

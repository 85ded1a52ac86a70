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
    !error || SESSION_ERRORS.test(error)
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
  return out;
}

// The doctor's checks of the client itself: does the provider know the client ID, and does it take it without a
// secret, as the SDK's code exchange needs (a public client, RFC 6749 §2.1). IdentityServer answers `invalid_client`
// on the token endpoint both for an unknown client ID and for a client registered as confidential (one that requires
// a secret, CONNECT's common mis-registration), so the authorization requests tell the two apart.
import type { AuthorizationServer } from 'oauth4webapi';
import { generateRandomCodeVerifier } from 'oauth4webapi';
import type { ResolvedConfig } from '../config.js';
import { allowedOrigin, allowsOrigin, type Finding, found, PROPAGATION, reason } from './finding.js';

/** What the token endpoint answered the doctor's made-up code. */
export interface TokenAnswer {
  response: Response;
  /** The OAuth error of the answer (RFC 6749 §5.2), if it had one. */
  error?: string | undefined;
  description?: string | undefined;
}

/** What the authorization endpoint answered a `prompt=none` request for one redirect URI (see checks.ts). */
export interface AuthorizeAnswer {
  uri: string;
  /** The name of its check in the report (`redirect_uri`, `silent_redirect_uri`). */
  check: string;
  /** Whether the answer redirected back to the URI: then the provider knows the client and accepts the URI. */
  back: boolean;
  /** The provider's own words for an unknown client, where its answer had them (e.g. `invalid_client`). */
  unknownClient?: string | undefined;
}

/**
 * Sends the SDK's token request with a code that cannot be valid, so nothing is redeemed: a public client gets
 * `invalid_grant`, an unknown or confidential one `invalid_client`. The request is a CORS-safelisted form POST, so
 * browsers send it without a preflight and read `Access-Control-Allow-Origin` on its answer: the doctor sends the same
 * `Origin`.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export async function askTokenEndpoint(c: ResolvedConfig, doc: AuthorizationServer, origin: string): Promise<TokenAnswer | Finding> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: 'connect-pkce-doctor-not-a-code',
    redirect_uri: c.redirectUri,
    client_id: c.clientId,
    code_verifier: generateRandomCodeVerifier(),
  });
  let response: Response;
  try {
    response = await fetch(doc.token_endpoint as string, {
      method: 'POST',
      headers: { Origin: origin, Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(c.requestTimeout),
    });
  } catch (e) {
    return found('cors', 'fail', `the token endpoint cannot be reached: ${reason(e)}`);
  }
  const json: { error?: unknown; error_description?: unknown } | undefined = await response
    .clone()
    .json()
    .catch(() => undefined);
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { response, error: text(json?.error), description: text(json?.error_description) };
}

/**
 * The client's findings (and the token endpoint's CORS), from the token endpoint's answer and the authorization
 * endpoint's. `unknown` when the provider does not know the client: then the checks that depend on it (CORS per
 * client, the redirect URIs, framing) can say nothing more, so the report names that cause once, lists them as not
 * checked, and the caller adds nothing after it.
 */
export function clientFindings(
  c: ResolvedConfig,
  origin: string,
  token: TokenAnswer | Finding,
  authorize: AuthorizeAnswer[],
): { findings: Finding[]; unknown: boolean } {
  const id = c.clientId;
  // Only the provider's client store can send prompt=none back to a redirect URI: the client exists.
  const accepted = authorize.find((a) => a.back);
  const named = authorize.find((a) => a.unknownClient)?.unknownClient;
  if (!('response' in token)) {
    if (named && !accepted) return { findings: [unknownClient(id, named), token, ...notChecked(id, authorize)], unknown: true };
    return { findings: [token], unknown: false };
  }
  const cors = allowsOrigin(token.response, origin)
    ? found('cors', 'ok', `the token endpoint allows ${origin} (${allowedOrigin(token.response)})`)
    : found(
        'cors',
        'fail',
        `the token endpoint does not allow ${origin} (${allowedOrigin(token.response)}); the browser will block the code exchange`,
        `add ${origin} to the client's allowed CORS origins (AllowedCorsOrigins); ${PROPAGATION}`,
      );
  if (!accepted && (named || token.error === 'invalid_client'))
    return { findings: [unknownClient(id, named), ...notChecked(id, authorize, 'cors')], unknown: true };
  if (token.error === 'invalid_client' && accepted)
    return {
      findings: [
        found(
          'client',
          'fail',
          `client ${id} exists (prompt=none came back to ${accepted.uri}), but the token endpoint refuses it without a secret (invalid_client): it is registered as a confidential client, which a browser app cannot be`,
          `register ${id} as a public authorization-code (PKCE) client without a secret (IdentityServer: RequireClientSecret off); ${PROPAGATION}`,
        ),
        cors,
      ],
      unknown: false,
    };
  if (token.error === 'invalid_grant')
    return { findings: [found('client', 'ok', `${id} is a public client: the token endpoint took it without a secret (invalid_grant for a made-up code)`), cors], unknown: false };
  const answer = token.error ?? `HTTP ${token.response.status} without an OAuth error`;
  return {
    findings: [
      found('client', 'warn', `the token endpoint answered a made-up code with ${answer}, not invalid_grant`, token.description ?? "see the provider's logs"),
      cors,
    ],
    unknown: false,
  };
}

/**
 * The one finding for a client the provider does not know. Without the provider's own words it may still be a
 * confidential client whose redirect URIs are not registered either, so the text names both causes.
 */
function unknownClient(id: string, named: string | undefined): Finding {
  const fix = `check --client-id: it must name a public authorization-code (PKCE) client without a secret, with your redirect URIs registered; ${PROPAGATION}`;
  if (named) return found('client', 'fail', `the provider does not know client ${id}: the authorization endpoint answers ${named}`, fix);
  return found(
    'client',
    'fail',
    `client ${id} is refused: the token endpoint answers invalid_client (an unknown client ID, or a client that requires a secret) and the authorization endpoint does not send prompt=none back; most likely no client ${id} exists here (or it is disabled)`,
    fix,
  );
}

/** The checks an unknown client leaves nothing to say about, each named once as not checked. */
const notChecked = (id: string, authorize: AuthorizeAnswer[], ...more: string[]): Finding[] =>
  [...more, ...authorize.map((a) => a.check), 'framing'].map((check) => found(check, 'skip', `not checked: it depends on client ${id} (see client above)`));

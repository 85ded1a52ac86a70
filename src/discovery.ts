import { type AuthorizationServer, discoveryRequest, JSON_ATTRIBUTE_COMPARISON, processDiscoveryResponse } from 'oauth4webapi';
import { issuerMismatchMessage, type ResolvedConfig, sameIssuer, withoutSlash } from './config.js';
import { AuthError, toAuthError } from './errors.js';
import { requestOptions } from './http.js';
import type { SessionStore } from './storage.js';

/** The issuer a document must name: the `issuer` option, else the authority. */
const expectedIssuer = (c: ResolvedConfig): string => c.issuer ?? c.authority;

/**
 * The provider's metadata (OpenID Connect Discovery 1.0 §4; RFC 8414): the inline `metadata` option if given,
 * else the copy this tab cached in sessionStorage, else one discovery request to the authority. A reload therefore
 * costs no request. A cached copy is used only while it names the expected issuer, so a change of the `issuer`
 * option is checked again.
 */
export async function discover(c: ResolvedConfig, cache: SessionStore): Promise<AuthorizationServer> {
  if (c.metadata) return c.metadata;
  const key = c.issuer ? `cpk.as:${c.authority} ${c.issuer}` : `cpk.as:${c.authority}`;
  try {
    const cached = JSON.parse((await cache.get(key)) || 'null');
    if (cached?.authorization_endpoint && sameIssuer(cached.issuer, expectedIssuer(c))) return cached;
  } catch {
    // A corrupt cache entry is simply fetched again.
  }
  try {
    const as = await acceptDiscoveryResponse(c, await discoveryRequest(new URL(c.authority), requestOptions(c)));
    await cache.set(key, JSON.stringify(as));
    return as;
  } catch (e) {
    throw toAuthError(e);
  }
}

const isIssuerComparison = (e: unknown) => (e as { code?: string })?.code === JSON_ATTRIBUTE_COMPARISON;

/**
 * Checks a discovery response with oauth4webapi: its issuer must equal the expected issuer (the `issuer` option, else
 * the authority) exactly (§4.3), with one allowance: it may be written with or without the trailing slash the
 * provider's issuer has (`…/identity` vs `…/v2.0/`). Any other issuer → `issuer_mismatch`, naming both values.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export function acceptDiscoveryResponse(c: ResolvedConfig, response: Response): Promise<AuthorizationServer> {
  const expected = new URL(expectedIssuer(c));
  const other = new URL(expected.pathname.endsWith('/') ? withoutSlash(expected.href) : `${expected.href}/`);
  const copy = response.clone();
  return processDiscoveryResponse(expected, response).catch((e) =>
    isIssuerComparison(e)
      ? processDiscoveryResponse(other, copy).catch((again) =>
          Promise.reject(
            isIssuerComparison(again)
              ? new AuthError('issuer_mismatch', `connect-pkce: ${issuerMismatchMessage(c, e.cause?.body?.issuer)}`)
              : again,
          ),
        )
      : Promise.reject(e),
  );
}

import { type AuthorizationServer, discoveryRequest, processDiscoveryResponse } from 'oauth4webapi';
import { type ResolvedConfig, withoutSlash } from './config.js';
import { toAuthError } from './errors.js';
import { requestOptions } from './http.js';
import type { SessionStore } from './storage.js';

/**
 * The provider's metadata (OpenID Connect Discovery 1.0 §4; RFC 8414): the inline `metadata` option if given,
 * else the copy this tab cached in sessionStorage, else one discovery request. A reload therefore costs no request.
 * The issuer in the document must equal the authority exactly (§4.3), with one allowance: the authority may be
 * written with or without the trailing slash the provider's issuer has (`…/identity` vs `…/v2.0/`).
 */
export async function discover(c: ResolvedConfig, cache: SessionStore): Promise<AuthorizationServer> {
  if (c.metadata) return c.metadata;
  const key = `cpk.as:${c.authority}`;
  try {
    const cached = JSON.parse((await cache.get(key)) || 'null');
    if (cached?.issuer && cached.authorization_endpoint) return cached;
  } catch {
    // A corrupt cache entry is simply fetched again.
  }
  try {
    const issuer = new URL(c.authority);
    const response = await discoveryRequest(issuer, requestOptions(c));
    const copy = response.clone();
    const other = new URL(issuer.pathname.endsWith('/') ? withoutSlash(issuer.href) : `${issuer.href}/`);
    const as = await processDiscoveryResponse(issuer, response).catch((e) =>
      other.href !== issuer.href ? processDiscoveryResponse(other, copy) : Promise.reject(e),
    );
    await cache.set(key, JSON.stringify(as));
    return as;
  } catch (e) {
    throw toAuthError(e);
  }
}

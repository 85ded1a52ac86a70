import { type AuthorizationServer, discoveryRequest, processDiscoveryResponse } from 'oauth4webapi';
import type { ResolvedConfig } from './config.js';
import { toAuthError } from './errors.js';
import { requestOptions } from './http.js';
import type { SessionStore } from './storage.js';

/**
 * The provider's metadata (OpenID Connect Discovery 1.0 §4; RFC 8414): the inline `metadata` option if given,
 * else the copy this tab cached in sessionStorage, else one discovery request whose issuer must equal the
 * authority exactly. A reload therefore costs no request.
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
    const as = await processDiscoveryResponse(issuer, await discoveryRequest(issuer, requestOptions(c)));
    await cache.set(key, JSON.stringify(as));
    return as;
  } catch (e) {
    throw toAuthError(e);
  }
}

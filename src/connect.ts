import { type AuthClient, createAuthClient } from './client.js';
import { type AuthClientOptions, isLoopback } from './config.js';
import { AuthError } from './errors.js';
import { type AuthorizedFetch, createAuthorizedFetch } from './fetch.js';

/** AVEVA CONNECT data services regions (US-West is the primary one). */
export type ConnectRegion = 'uswe' | 'euno' | 'auea' | 'jpea';

/** Where a CONNECT tenant lives: a region, or a custom host such as `https://uswe.datahub.connect.aveva.com`. */
export type ConnectLocation =
  | {
      /** A CONNECT region. */
      region: ConnectRegion;
      host?: undefined;
    }
  | {
      /** A host name or https origin of a CONNECT deployment outside the four regions. */
      host: string;
      region?: undefined;
    };

/** The resource base URL (no trailing slash) of a region or host. */
export function connectBaseUrl(where: ConnectRegion | ConnectLocation): string {
  const w = typeof where === 'string' ? { region: where } : where;
  if (w.region) {
    if (!/^(uswe|euno|auea|jpea)$/.test(w.region))
      throw new AuthError('invalid_config', `connect-pkce: unknown CONNECT region "${w.region}"`);
    return `https://${w.region}.datahub.connect.aveva.com`;
  }
  const host = String(w.host ?? '');
  let url: URL | undefined;
  try {
    url = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(host) ? host : `https://${host}`);
  } catch {
    // Reported below.
  }
  // The bearer token goes to this host: plain http only on loopback (a local stand-in), never across a network.
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url))))
    throw new AuthError('invalid_config', 'connect-pkce: "host" must be a host name or an https URL');
  return url.origin;
}

/** The identity authority of a region or host: `https://<region>.datahub.connect.aveva.com/identity`. */
export const connectAuthority = (where: ConnectRegion | ConnectLocation): string => `${connectBaseUrl(where)}/identity`;

/** Options of {@link createConnectClient}: the usual client options, with region (or host) and tenant instead of an authority. */
export type ConnectClientOptions = Omit<AuthClientOptions, 'authority' | 'tenantId'> &
  ConnectLocation & {
    /** The CONNECT tenant ID (a GUID); sent as `acr_values=tenant:<id>` on every authorization request. */
    tenantId: string;
  };

/** A client for CONNECT: an {@link AuthClient} that also calls the REST API. */
export interface ConnectClient extends AuthClient {
  /** `fetch` with the access token; on a 401 it renews once and retries once (see {@link createAuthorizedFetch}). */
  fetch: AuthorizedFetch;
}

/**
 * A client for an AVEVA CONNECT authorization-code client: the region's identity authority, scope
 * `openid ocsapi`, the tenant's `acr_values`, and `fetch` for the REST API. Register `redirectUri`,
 * `silentRedirectUri` and `postLogoutRedirectUri` exactly, and the app's origin as an allowed CORS origin.
 */
export function createConnectClient(o: ConnectClientOptions): ConnectClient {
  const { region, host, ...rest } = o;
  const base = connectBaseUrl(region ? { region } : { host: host as string });
  const client = createAuthClient({
    ...rest,
    authority: `${base}/identity`,
    scope: o.scope ?? 'openid ocsapi',
  });
  // Added to the client itself: a copy would freeze its getters (`silentRenewal`).
  return Object.assign(client, { fetch: createAuthorizedFetch(client, { origins: [base] }) });
}

/** Options of {@link connectApiUrl}. */
export type ConnectApiOptions = ConnectLocation & {
  /** The CONNECT tenant ID (a GUID). */
  tenantId: string;
  /** Namespace ID; omit for tenant-level routes. */
  namespace?: string | undefined;
  /** API version, default `'v1'` (also `'v1-preview'`, `'v2-preview'`). */
  version?: string | undefined;
};

/**
 * A CONNECT REST URL: `/api/{version}/Tenants/{tenantId}[/Namespaces/{namespace}]/{...path}`, each segment
 * URL-encoded, e.g. `connectApiUrl({ region: 'uswe', tenantId, namespace: 'prod' }, 'Streams')`.
 */
export function connectApiUrl(o: ConnectApiOptions, ...path: string[]): string {
  const segments = ['api', o.version ?? 'v1', 'Tenants', o.tenantId];
  if (o.namespace !== undefined) segments.push('Namespaces', o.namespace);
  segments.push(...path);
  // "." and ".." survive encoding (%2E is read as a dot), so one taken from user input could move the request,
  // and its bearer token, to another route.
  if (segments.some((s) => /^(\.|\.\.|)$/.test(String(s))))
    throw new AuthError('invalid_config', 'connect-pkce: an API path segment is empty, "." or ".."');
  return [connectBaseUrl(o), ...segments.map(encodeURIComponent)].join('/');
}

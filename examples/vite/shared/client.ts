// What the React and Vue examples share: their settings (the ES-module example's config.js) and the client made from
// them.
import { type AuthClient, type ConnectRegion, connectApiUrl, createAuthClient, createConnectClient } from 'connect-pkce';

export interface ExampleConfig {
  connect: { region: ConnectRegion | ''; tenantId: string; clientId: string };
  demo: { authority: string; clientId: string; tenantId: string; renewBeforeExpiry: number };
  idle: { after: number; countdown: number };
}

/**
 * The settings of every ES-module example, examples/spa/config.js (served at /examples/spa/config.js, beside this
 * app's /examples/<app>/), read when the page starts rather than bundled: edited, or pointed at the demo's provider,
 * without a rebuild.
 */
export const loadConfig = (): Promise<ExampleConfig> => import(/* @vite-ignore */ new URL('../spa/config.js', document.baseURI).href);

const useConnect = (c: ExampleConfig) => Boolean(c.connect.region && c.connect.tenantId && c.connect.clientId);

/**
 * The app's one client, made once when the page starts and before its router: it lives as long as the page. `base`
 * is the app's path (Vite's BASE_URL), which is also its redirect URI: registered exactly with the provider.
 */
export function createClient(config: ExampleConfig, base: string): AuthClient {
  const page = new URL(base, location.origin).href;
  const uris = {
    redirectUri: page,
    postLogoutRedirectUri: page,
    // The SDK's dist/silent-renew.html at the site root: the app itself never starts in the hidden iframe.
    silentRedirectUri: new URL('/silent-renew.html', location.origin).href,
  };
  const { connect, demo } = config;
  return connect.region && useConnect(config)
    ? createConnectClient({ ...connect, region: connect.region, ...uris })
    : createAuthClient({
        authority: demo.authority,
        clientId: demo.clientId,
        tenantId: demo.tenantId,
        renewBeforeExpiry: demo.renewBeforeExpiry,
        scope: 'openid profile ocsapi',
        ...uris,
      });
}

/** The protected sample API: CONNECT's namespaces of the tenant, or the demo server's stand-in on this origin. */
export function apiUrl(config: ExampleConfig): string {
  const { connect, demo } = config;
  return connect.region && useConnect(config)
    ? connectApiUrl({ region: connect.region, tenantId: connect.tenantId }, 'Namespaces')
    : connectApiUrl({ host: location.origin, tenantId: demo.tenantId }, 'Namespaces');
}

/** The router's path for a login's `returnTo` (a URL of this page's origin under `base`). */
export function routeOf(returnTo: string | undefined, base: string): string {
  const url = new URL(returnTo ?? base, location.href);
  const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length - 1) : '/';
  return path + url.search + url.hash;
}

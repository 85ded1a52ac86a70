import type { AuthClient } from './auth-client.js';
import { AuthError } from './errors.js';

/** Whether this code runs in a browser page (not server-side rendering, not a worker). */
export const inBrowser = (): boolean => typeof window === 'object' && typeof document === 'object';

/**
 * The client `createAuthClient` returns where there is no browser window, e.g. during server-side rendering in
 * Next.js, Nuxt or Angular: it holds nothing open (no channel, timer or listener, so the server process can exit)
 * and has no session. Reads answer "signed out"; actions reject with `not_in_browser`.
 */
export function serverClient(): AuthClient {
  const refuse = () => Promise.reject(new AuthError('not_in_browser', 'connect-pkce runs in the browser only'));
  return {
    login: refuse,
    isCallback: () => false,
    handleRedirectCallback: refuse,
    getSession: async () => null,
    isAuthenticated: async () => false,
    getAccessToken: refuse,
    renew: refuse,
    logout: refuse,
    restore: async () => false,
    silentRenewal: 'unknown',
    on: () => () => {},
    dispose() {},
  };
}

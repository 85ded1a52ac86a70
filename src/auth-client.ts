import type { AuthEventName, Handler } from './events.js';
import type { Session } from './session.js';
import type { SilentRenewal } from './silent-renewal.js';

/** Options of {@link AuthClient.login}. */
export interface LoginOptions {
  /** Where to go after login, a path or URL on this origin; returned by `handleRedirectCallback`. */
  returnTo?: string | undefined;
  /** OpenID Connect `prompt`, e.g. `'login'` or `'select_account'`. */
  prompt?: string | undefined;
  /** Pre-fills the user name at the provider. */
  loginHint?: string | undefined;
  /** More parameters for this request only. */
  extraParams?: Record<string, string> | undefined;
}

/** Options of {@link AuthClient.logout}. */
export interface LogoutOptions {
  /**
   * Where the provider sends the user afterwards: a path or URL on this origin, registered exactly.
   * Default: `postLogoutRedirectUri`.
   */
  returnTo?: string | undefined;
  /**
   * `false`: sign out of this app only (in every tab), and stay on this page: the provider session is left alone
   * and `returnTo` is not used. For a provider session that already ended, or "sign out of this app" buttons.
   * Default `true`.
   */
  endSession?: boolean | undefined;
}

/** A signed-in browser app's view of OAuth: see {@link createAuthClient}. */
export interface AuthClient {
  /** Starts an interactive login: saves a PKCE transaction and navigates to the provider. */
  login(options?: LoginOptions): Promise<void>;
  /** Whether `url` (default: the current one) is an authorization response for this app to handle. */
  isCallback(url?: string): boolean;
  /** Validates the callback, exchanges the code, stores the session and cleans the address bar. */
  handleRedirectCallback(url?: string): Promise<{ session: Session; returnTo?: string | undefined }>;
  /** The current session, or null. */
  getSession(): Promise<Session | null>;
  /** Whether there is a session whose access token has not expired. */
  isAuthenticated(): Promise<boolean>;
  /** A usable access token: the stored one, or a renewed one when it is close to expiry. */
  getAccessToken(): Promise<string>;
  /** Renews now (refresh token if the provider issued one, else the hidden iframe); joins a renewal in flight. */
  renew(): Promise<Session>;
  /**
   * Clears the session here and in every other tab, for good (until `login()`), then ends the provider session
   * (RP-Initiated Logout 1.0). `returnTo` (a path or URL on this origin) overrides `postLogoutRedirectUri`.
   */
  logout(options?: LogoutOptions): Promise<void>;
  /**
   * Sends the browser to the provider with `prompt=none` and back to this page with a fresh session, without a
   * login form while the provider session lives (a new tab with no session: no "sign in" button needed). Refuses
   * (false, no navigation) after a logout until `login()`, and more than once a minute, so it can never loop. A
   * provider session that ended comes back as `login_required` from `handleRedirectCallback()`.
   */
  restore(): Promise<boolean>;
  /** How this client renews in this browser: see {@link SilentRenewal}; the `silentRenewal` event tells changes. */
  readonly silentRenewal: SilentRenewal;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends AuthEventName>(event: E, handler: Handler<E>): () => void;
  /** Removes every timer, listener, channel and iframe this client created. */
  dispose(): void;
}

export type { AuthClientOptions } from './config.js';
export type { DPoPHooks, DPoPScope } from './dpop-hooks.js';
export { type AuthClient, createAuthClient, type LoginOptions, type LogoutOptions } from './client.js';
export { AuthError, type AuthErrorCode, type ProviderErrorCode, type SdkErrorCode } from './errors.js';
export type { AuthEventName, AuthEvents, Handler, InteractionRequired } from './events.js';
export { type AuthorizedFetch, type AuthorizedFetchOptions, type BearerPolicy, bearerPolicy, createAuthorizedFetch } from './fetch.js';
export { consoleLogger, type LogEntry, type Logger, type LogStep } from './log.js';
export { loginWithPopup, type PopupOptions, renewWithPopup } from './popup.js';
export type { Session } from './session.js';
export { type AuthObserver, type AuthState, type AuthStatus, observeAuth } from './auth-state.js';
export type { SilentRenewal } from './silent-renewal.js';
export { completeSilentRenew } from './silent-page.js';
export { sdkWindow } from './sdk-window.js';
export type { SessionStore, StorageOption } from './storage.js';
export {
  type ConnectApiOptions,
  type ConnectClient,
  type ConnectClientOptions,
  type ConnectLocation,
  type ConnectRegion,
  connectApiUrl,
  connectAuthority,
  connectBaseUrl,
  createConnectClient,
} from './connect.js';

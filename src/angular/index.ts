// connect-pkce/angular: the Angular binding (its own entry point; the core is imported as `connect-pkce`).
export { ConnectAuth, type StateFeed, stateSignals as ɵstateSignals } from './auth.js';
export { ConnectIdle, withIdleSignOut, withSessionMonitor } from './features.js';
export { authGuard } from './guard.js';
export { authInterceptor } from './interceptor.js';
export {
  CONNECT_AUTH_SETTINGS,
  type ConnectAuthBindingOptions,
  type ConnectAuthFeature,
  type ConnectAuthOptions,
  type ConnectAuthSettings,
  provideConnectAuth,
} from './provide.js';

import { handBack } from './sdk-window.js';

/**
 * For apps that serve their own silent page, or gate their start-up: `if (!completeSilentRenew()) startApp()`.
 * On a page that the SDK loaded in its hidden iframe or its popup and that holds an authorization response, it hands
 * the response back (to the parent window, addressed to its own origin only; or on a same-origin BroadcastChannel,
 * which a provider's Cross-Origin-Opener-Policy cannot cut, then closes the popup) and returns `true`. On any other
 * page, a callback in the address bar included, and outside a browser, it does nothing and returns `false`.
 */
export function completeSilentRenew(): boolean {
  return handBack();
}

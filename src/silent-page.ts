import { SILENT_MESSAGE } from './silent-frame.js';

/**
 * For apps that serve their own silent page: call this first thing on it. When the page runs inside the SDK's
 * hidden iframe, it posts its URL (the authorization response) to the parent window, addressed to its own origin
 * only, never `'*'`, so no other site's page can receive the code. Outside an iframe (or a browser) it does nothing.
 * Returns whether it posted.
 */
export function completeSilentRenew(): boolean {
  if (typeof window !== 'object' || window.parent === window) return false;
  window.parent.postMessage({ type: SILENT_MESSAGE, url: location.href }, location.origin);
  return true;
}

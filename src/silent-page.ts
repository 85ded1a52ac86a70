import { SILENT_MESSAGE } from './silent-frame.js';

/**
 * For apps that serve their own silent page: call this first thing on it. It hands the page's URL (the
 * authorization response) to the app: inside the SDK's hidden iframe by posting it to the parent window, addressed
 * to its own origin only, never `'*'`, so no other site's page can receive the code; in a popup
 * (`loginWithPopup`) on a same-origin BroadcastChannel, which a provider's Cross-Origin-Opener-Policy cannot cut,
 * then it closes the popup. Outside a browser it does nothing. Returns whether it posted.
 */
export function completeSilentRenew(): boolean {
  if (typeof window !== 'object') return false;
  const m = { type: SILENT_MESSAGE, url: location.href };
  if (window.parent !== window) window.parent.postMessage(m, location.origin);
  else {
    new BroadcastChannel(SILENT_MESSAGE).postMessage(m);
    setTimeout(() => window.close(), 50);
  }
  return true;
}

// Where the SDK itself loaded this page: its hidden renewal iframe, or its popup. An app whose silent redirect URI is
// one of its own routes boots there too, and must then do nothing of its own: no renewal, no tabs, no idle or
// session watching, no callback handling. It hands the response back and stays out of the way.

/** The message the SDK's own windows post the response on: to the parent (iframe) or on a BroadcastChannel (popup). */
export const SILENT_MESSAGE = 'connect-pkce:silent';
/** The hidden iframe's window name: the browser keeps it across the iframe's navigations. */
export const SILENT_FRAME_NAME = 'connect-pkce-silent';
/** The popup's window name. A browser may clear it when a provider's COOP moves the popup to another group. */
export const POPUP_NAME = 'connect-pkce-popup';
/**
 * Starts the `state` of a popup's authorization request, so the page the popup comes back to knows it is the
 * SDK's popup from its URL alone, even after a provider's Cross-Origin-Opener-Policy cut the opener and the name.
 */
export const POPUP_STATE = 'cpkp.';

/** Which of the SDK's windows this page is, or `''` for a page the user opened. */
export function sdkWindow(): 'frame' | 'popup' | '' {
  if (typeof window !== 'object') return '';
  if (window.name === SILENT_FRAME_NAME) return 'frame';
  return window.parent === window && (window.name === POPUP_NAME || responseState().startsWith(POPUP_STATE)) ? 'popup' : '';
}

/** The `state` of the authorization response in the address bar ('' when it is none: no `code` or `error`). */
function responseState(): string {
  const p = new URLSearchParams(location.search);
  return (p.has('code') || p.has('error')) && p.get('state') || '';
}

/**
 * Hands the authorization response in the address bar to the SDK window that waits for it, when this page is one
 * of the SDK's windows and holds one: the iframe posts it to its parent, addressed to this origin only (never `'*'`,
 * so no other site's page can receive the code); the popup posts it on a same-origin BroadcastChannel (which COOP
 * cannot cut) and closes. Anywhere else it does nothing. Returns whether it handed one back.
 */
export function handBack(): boolean {
  const where = sdkWindow();
  if (!where || !responseState()) return false;
  const m = { type: SILENT_MESSAGE, url: location.href };
  if (where === 'frame') parent.postMessage(m, location.origin);
  else {
    new BroadcastChannel(SILENT_MESSAGE).postMessage(m);
    setTimeout(() => window.close(), 50);
  }
  return true;
}

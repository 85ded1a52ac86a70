import type { ResolvedConfig } from './config.js';
import { AuthError, disposedError } from './errors.js';
import { SILENT_FRAME_NAME, SILENT_MESSAGE } from './sdk-window.js';

export { SILENT_FRAME_NAME, SILENT_MESSAGE } from './sdk-window.js';

/**
 * Runs one `prompt=none` authorization request in a hidden iframe (OpenID Connect Core §3.1.2.1) and resolves with
 * the callback parameters the iframe lands on (at `c.silentRedirectUri`, within `c.silentTimeout` ms; the iframe
 * gets the `iframeAttributes` option's attributes, `c.frame`). An answer counts only when it comes from that iframe's window, from
 * the silent redirect URI's origin, and carries the expected `state`; everything else is ignored. Besides the
 * silent page's `postMessage`, the iframe's URL is read on each `load` once it is back on our origin, so a provider
 * error (or a silent page whose script failed) ends the wait at once instead of at the timeout.
 *
 * Tearing a frame down costs Chromium's main thread 10-20 ms, so it stays off the critical path: the answer is handed
 * to `use` (the code exchange) first, and after a success the iframe goes in the next task, once the result has
 * reached the caller. After a failure (timeout, abort, a failed `use`) it goes at once. In every outcome the listener
 * and timer are released as soon as the wait ends.
 *
 * A `timeout` message names what usually causes it (a silent redirect URI not registered exactly, or a client change
 * the provider has not applied yet) and the URI, never the authorization request's parameters.
 */
export async function runSilentFrame<T = URLSearchParams>(
  authorizeUrl: string,
  state: string,
  c: Pick<ResolvedConfig, 'silentRedirectUri' | 'silentTimeout' | 'frame'>,
  signal?: AbortSignal,
  use: (params: URLSearchParams) => T | Promise<T> = (p) => p as T,
): Promise<T> {
  const redirectUri = c.silentRedirectUri;
  const timeoutMs = c.silentTimeout;
  const origin = new URL(redirectUri).origin;
  const frame = document.createElement('iframe');
  let cleanup!: () => void;
  // Removed without first navigating it to about:blank: that extra navigation costs the browser more main-thread
  // time than it saves, and a detached frame's document is released with it.
  const removeFrame = () => frame.remove();

  const result = new Promise<URLSearchParams>((resolve, reject) => {
    const accept = (href: unknown) => {
      if (typeof href !== 'string') return;
      let url: URL;
      try {
        url = new URL(href);
      } catch {
        return;
      }
      if (url.origin === origin && url.searchParams.get('state') === state) resolve(url.searchParams);
    };
    const onMessage = (e: MessageEvent) => {
      if (e.source === frame.contentWindow && e.origin === origin && e.data?.type === SILENT_MESSAGE) accept(e.data.url);
    };
    // Whether the iframe came back to our origin: then the provider answered, and the page there said nothing.
    let landed = false;
    const onLoad = () => {
      try {
        const href = frame.contentWindow?.location.href;
        landed ||= !!href && href !== 'about:blank';
        accept(href);
      } catch {
        // Still on the provider's origin: its URL cannot be read. Wait for the next load or the message.
      }
    };
    const onAbort = () => reject(disposedError());
    const timer = setTimeout(
      () =>
        reject(
          new AuthError(
            'timeout',
            landed
              ? `Silent renew: the page at ${redirectUri} handed nothing back in ${timeoutMs} ms (a router rewrote its URL?): ` +
                  'create the client before the router starts, or serve silent-renew.html there'
              : `Silent renew: no answer from ${redirectUri} in ${timeoutMs} ms. Usual causes: this silent redirect URI is ` +
                  'not registered exactly (IdentityServer then shows an error page that cannot be framed), or a client ' +
                  'change is not applied yet (CONNECT takes up to an hour)',
          ),
        ),
      timeoutMs,
    );
    cleanup = () => {
      clearTimeout(timer);
      removeEventListener('message', onMessage);
      signal?.removeEventListener('abort', onAbort);
      frame.removeEventListener('load', onLoad);
    };
    if (signal?.aborted) return onAbort();
    addEventListener('message', onMessage);
    signal?.addEventListener('abort', onAbort);
    frame.addEventListener('load', onLoad);
    // The app's own (`iframeAttributes`, e.g. Chrome's `allow`) first: the SDK's win over them. The style through
    // CSSOM, which a CSP without 'unsafe-inline' styles allows, unlike a style attribute.
    const attributes = { ...c.frame, 'aria-hidden': 'true', tabindex: '-1', title: 'connect-pkce silent renew', name: SILENT_FRAME_NAME, src: authorizeUrl };
    for (const [k, v] of Object.entries(attributes)) frame.setAttribute(k, v);
    frame.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
    document.body.appendChild(frame);
  });
  try {
    const value = await use(await result.finally(() => cleanup()));
    setTimeout(removeFrame);
    return value;
  } catch (e) {
    removeFrame();
    throw e;
  }
}

import type { AuthClient } from './auth-client.js';
import { AuthError, disposedError } from './errors.js';
import { type Internals, internalsOf } from './internals.js';
import { createAuthorizationRequest } from './login.js';
import type { Session } from './session.js';
import { POPUP_NAME, POPUP_STATE, SILENT_MESSAGE } from './sdk-window.js';

/** Options of {@link loginWithPopup} and {@link renewWithPopup}. */
export interface PopupOptions {
  /**
   * How long the user may take, ms (1 to 2^31-1). Default 300000 (5 minutes). A login completed in a popup that
   * looked closed (see {@link loginWithPopup}) is still taken until then.
   */
  timeout?: number | undefined;
  /** Pre-fills the user name at the provider. */
  loginHint?: string | undefined;
  /** OpenID Connect `prompt` for a login, e.g. `'select_account'`. */
  prompt?: string | undefined;
  /** `window.open` features. Default `'popup,width=520,height=680'`. */
  features?: string | undefined;
}

/** The popup open now: the client it is for, and the result that client's callers share. */
let pending: { popup: Window; inner: Internals; done: Promise<Session> } | undefined;

/**
 * Signs in in a popup, keeping this page and its state: call it from a click handler (browsers allow popups only
 * there). The popup goes to the provider's login page and comes back to the silent redirect URI, whose page hands
 * the answer to this one over a BroadcastChannel (which a provider's `Cross-Origin-Opener-Policy` cannot cut),
 * then closes. Rejects with `popup_blocked`, `popup_closed`, `timeout` or the provider's error. A popup that looks
 * closed gives `popup_closed` at once, yet its answer is still taken until the timeout: a provider page with COOP
 * makes a popup the user is still signing in look closed, and that login then arrives as a `token` event. One popup
 * at a time: a second call for the same client focuses it and shares its result; one for another client focuses it
 * and rejects with `popup_blocked`. Its own export: apps that never open a popup do not ship it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1 authorization code grant
 */
export function loginWithPopup(client: AuthClient, options: PopupOptions = {}): Promise<Session> {
  return withPopup(client, options, false);
}

/**
 * Renews the current session in a popup, for the same user: where the hidden iframe cannot (`silentRenewal` is
 * `'unavailable'`, announced by `interactionRequired` while the token still works). While the provider session
 * lives, the provider answers at once and the popup closes by itself with no form; otherwise the user signs in in
 * the same popup. Call it from a click handler, e.g. a "Continue session" button. Settles like {@link loginWithPopup}.
 */
export function renewWithPopup(client: AuthClient, options: PopupOptions = {}): Promise<Session> {
  return withPopup(client, options, true);
}

// Async, so that every refusal is a rejection; it still runs up to `window.open` in the click's task.
async function withPopup(client: AuthClient, o: PopupOptions, renew: boolean): Promise<Session> {
  // Checked before anything opens: a popup the call then cannot use would be left to the user to close.
  const inner = internalsOf(client, renew ? 'renewWithPopup' : 'loginWithPopup');
  if (!inner) throw new AuthError('not_in_browser', 'connect-pkce runs in the browser only');
  const ms = o.timeout ?? 300_000;
  // setTimeout ends a longer (or non-finite) delay at once.
  if (typeof ms !== 'number' || !(ms >= 1 && ms <= 2 ** 31 - 1))
    throw new AuthError('invalid_config', 'connect-pkce: "timeout" must be a number from 1 to 2147483647');
  // One popup at a time (they share one window name); one that looks closed does not hold a new click back.
  if (pending && !pending.popup.closed) {
    pending.popup.focus();
    if (pending.inner === inner) return pending.done;
    // Its result is another client's session: sharing it would tell this client it is signed in when it is not.
    throw new AuthError('popup_blocked', 'Another sign-in popup is open');
  }
  // Opened now, in the click's task, and sent to the provider once the request is built.
  const popup = window.open('', POPUP_NAME, o.features ?? 'popup,width=520,height=680');
  if (!popup) throw new AuthError('popup_blocked', 'The browser blocked the popup: open it from a click');
  // Settles at the first of the answer (or its failure) and `popup_closed`; a late answer's failure is handled by
  // the `then` below, so once `popup_closed` was reported it surfaces nowhere.
  const done = new Promise<Session>((resolve, reject) => {
    const closed = () => reject(new AuthError('popup_closed', 'The popup was closed before the login completed'));
    run(inner, popup, o, ms, renew, closed).then(resolve, reject);
  }).finally(() => {
    if (pending?.done === done) pending = undefined;
  });
  pending = { popup, inner, done };
  return done;
}

/**
 * Waits for the answer and commits it, and calls `onClosed` as soon as the popup looks closed. That is only a hint:
 * a provider page with COOP makes a popup look closed while the user goes on signing in there, possibly seconds
 * after it opened (a federated IdP's page). So the answer is still awaited until the timeout (or the client's
 * dispose), and one that comes is committed like any other login: the app learns of it from the `token` event.
 */
async function run(
  inner: Internals,
  popup: Window,
  o: PopupOptions,
  ms: number,
  renew: boolean,
  onClosed: () => void,
): Promise<Session> {
  const channel = new BroadcastChannel(SILENT_MESSAGE);
  let cleanup = () => {};
  try {
    const { url, state, tx } = await createAuthorizationRequest(await inner.server(), inner.config, {
      redirectUri: inner.config.silentRedirectUri,
      prompt: renew ? undefined : o.prompt,
      loginHint: o.loginHint,
      statePrefix: POPUP_STATE,
    });
    inner.config.log({ step: 'login', prompt: renew ? undefined : o.prompt, popup: true });
    popup.location.href = url.href;
    const params = await new Promise<URLSearchParams>((resolve, reject) => {
      const accept = (href: unknown) => {
        try {
          const u = new URL(String(href));
          if (u.origin === location.origin && u.searchParams.get('state') === state) resolve(u.searchParams);
        } catch {
          // Not an answer.
        }
      };
      channel.onmessage = ({ data }: MessageEvent) => data?.type === SILENT_MESSAGE && accept(data.url);
      const onAbort = () => reject(disposedError());
      if (inner.signal.aborted) onAbort();
      const timer = setTimeout(() => reject(new AuthError('timeout', 'The popup login did not complete in time')), ms);
      const poll = setInterval(() => {
        if (!popup.closed) {
          // Back on this origin, its URL is readable: the answer even where the page there posted nothing (an app
          // route as the redirect URI, a silent page whose script failed).
          try {
            accept(popup.location.href);
          } catch {
            // Still at the provider.
          }
          return;
        }
        // Nothing more to read from it; the channel still listens.
        clearInterval(poll);
        onClosed();
      }, 250);
      inner.signal.addEventListener('abort', onAbort);
      cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        inner.signal.removeEventListener('abort', onAbort);
      };
    });
    return await inner.complete(params, state, tx, renew);
  } finally {
    cleanup();
    channel.close();
    popup.close();
  }
}

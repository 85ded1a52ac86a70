// What the React and Vue bindings share, framework-neutral: the client's state (observeAuth) with the redirect callback
// folded in, and the callback itself handled once per page load. Bundled into each binding's entry; the core stays
// external (`connect-pkce`), so both read the one client of the app.
import { type AuthClient, type AuthState, type LoginOptions, observeAuth } from './index.js';
import { inBrowser } from './no-browser.js';

/** What a handled redirect callback hands the app's router: where the login started. */
export interface CallbackResult {
  returnTo?: string | undefined;
  /** Set once a binding handed `returnTo` to the app: a remount does not navigate again. */
  delivered?: boolean;
}

/** One client's state as the bindings read it: see {@link bind}. */
export interface Binding {
  /**
   * The client's snapshot (`observeAuth`), with `status: 'loading'` while this page's redirect callback is not yet
   * handled (a guard that runs before the code exchange must not send the user to the provider a second time), and
   * on the server, which cannot know who signs in.
   */
  getState(): AuthState;
  /** Calls `listener` after every change of `getState()`; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Handles this page's redirect callback, if it is one, once per page load however often it is called (React
   * StrictMode mounts twice, routes remount): a code is exchanged once, a second exchange would be `invalid_grant`.
   * Resolves with the login's `returnTo`, or null (not a callback page, or the callback failed: the error is the
   * state's `error`).
   */
  callback(): Promise<CallbackResult | null>;
  /** `client.login(options)`, once at a time: a guard mounted twice does not start two logins. */
  login(options?: LoginOptions): Promise<void>;
}

// Per client, for the page's lifetime: a binding that unmounts and mounts again finds the same callback.
const bindings = new WeakMap<AuthClient, Binding>();

/** The one {@link Binding} of `client` (made on first use). */
export function bind(client: AuthClient): Binding {
  const known = bindings.get(client);
  if (known) return known;
  const observer = observeAuth(client);
  const listeners = new Set<() => void>();
  let run: Promise<CallbackResult | null> | undefined;
  let settled = false;
  let loggingIn: Promise<void> | undefined;
  // The last snapshot given, and what it was made of.
  let source: AuthState | undefined;
  let waited = false;
  let shown: AuthState | undefined;
  // On the server nobody is known: 'loading', never a signed-out answer that a guard would act on.
  const waiting = () => !inBrowser() || (run ? !settled : client.isCallback());
  const binding: Binding = {
    getState() {
      const s = observer.getState();
      const w = waiting();
      if (s !== source || w !== waited || !shown) {
        source = s;
        waited = w;
        shown = w && s.status !== 'loading' ? { ...s, status: 'loading' } : s;
      }
      return shown;
    },
    subscribe(listener) {
      listeners.add(listener);
      const off = observer.subscribe(listener);
      return () => {
        listeners.delete(listener);
        off();
      };
    },
    callback() {
      if (run) return run;
      settled = !client.isCallback();
      run = settled
        ? Promise.resolve(null)
        : client
            .handleRedirectCallback()
            .then(({ returnTo }): CallbackResult => ({ returnTo }), () => null)
            .finally(() => {
              settled = true;
              for (const l of [...listeners]) l();
            });
      return run;
    },
    login(options) {
      // Settled (navigating away, or failed): a later call may start another.
      loggingIn ??= client.login(options).finally(() => {
        loggingIn = undefined;
      });
      return loggingIn;
    },
  };
  bindings.set(client, binding);
  return binding;
}

/**
 * Hands a handled callback's `returnTo` to the app once: to `navigate` (the app's router), else by replacing the
 * address bar's URL without a reload.
 */
export function deliver(result: CallbackResult | null, navigate?: (returnTo: string | undefined) => void): void {
  if (!result || result.delivered) return;
  result.delivered = true;
  if (navigate) navigate(result.returnTo);
  else if (result.returnTo) history.replaceState(history.state, '', result.returnTo);
}

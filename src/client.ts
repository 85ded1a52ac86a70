import type { AuthorizationServer } from 'oauth4webapi';
import { callbackParams, exchangeCallback, isCallbackUrl, takeTransaction } from './callback.js';
import { type AuthClientOptions, resolveConfig } from './config.js';
import { discover } from './discovery.js';
import { AuthError, needsInteraction, toAuthError } from './errors.js';
import { type AuthEventName, createEmitter, type Handler } from './events.js';
import { createAuthorizationRequest, createTransactionStore } from './login.js';
import { endSession } from './logout.js';
import { createScheduler, renewalLead } from './renewal.js';
import { renewOnce } from './renew-once.js';
import { parseSession, publicSession, type Session, type StoredSession } from './session.js';
import { SILENT_FRAME_NAME } from './silent-frame.js';
import { resolveStore, warnOnce, webStore } from './storage.js';
import { createTabSync, newerSession } from './tabs.js';

/** Options of {@link AuthClient.login}. */
export interface LoginOptions {
  /** Where to go after login; returned by `handleRedirectCallback`. */
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
  /** Where the provider sends the user afterwards (registered exactly). Default: `postLogoutRedirectUri`. */
  returnTo?: string | undefined;
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
  /** Clears the session here and in other tabs, then ends the provider session (RP-Initiated Logout 1.0). */
  logout(options?: LogoutOptions): Promise<void>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends AuthEventName>(event: E, handler: Handler<E>): () => void;
  /** Removes every timer, listener, channel and iframe this client created. */
  dispose(): void;
}

/** Address-bar parameters of an authorization response, removed once it is handled. */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri'];
/** `onSilentRenewFailure: 'redirect'` goes to login at most once a minute: a failing login can never loop. */
const REDIRECT_GUARD_MS = 60_000;

/**
 * Creates a client for one provider and app. Throws `AuthError('invalid_config')` when an option is wrong.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1 authorization code grant
 * @see https://www.rfc-editor.org/rfc/rfc7636 PKCE
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const c = resolveConfig(options);
  const events = createEmitter();
  const store = resolveStore(c.storage);
  const tabStore = webStore('session');
  const transactions = createTransactionStore(tabStore, `${c.key}:tx`);
  const abort = new AbortController();
  let as: Promise<AuthorizationServer> | undefined;
  let current: StoredSession | null = null;
  let inflight: Promise<StoredSession> | undefined;
  /** A renewal failure that needs the user, for the current session: stops further silent attempts. */
  let blocked: AuthError | undefined;
  /** Counts logouts and logins: a renewal that started before one must not undo it. */
  let epoch = 0;

  const metadata = () =>
    (as ??= discover(c, tabStore).catch((e) => {
      as = undefined;
      throw e;
    }));

  const save = async (s: StoredSession) => {
    try {
      await store.set(c.key, JSON.stringify(s));
    } catch (e) {
      // A failing custom store: the session still lives in memory and in the other tabs.
      warnOnce(e);
    }
  };

  /** The stored session; an unreadable store (sync throw or rejection) reads as none, with the one warning. */
  const readStored = (): Promise<StoredSession | null> =>
    Promise.resolve()
      .then(() => store.get(c.key))
      .then(parseSession, (e) => {
        warnOnce(e);
        return null;
      });

  /** Settles when the first session is committed: start-up stops waiting for other tabs' answers then. */
  let arrived!: () => void;
  const sessionArrived = new Promise<null>((resolve) => {
    arrived = () => resolve(null);
  });

  /** Makes `s` the session: stored, announced to the app and (unless it came from there) to the other tabs. */
  const commit = async (s: StoredSession, fromTab = false) => {
    current = s;
    arrived();
    blocked = undefined;
    await save(s);
    if (!fromTab) tabs?.publish(s);
    scheduler.check();
    events.emit('token', publicSession(s));
  };

  const clear = async (announce: boolean) => {
    const had = current;
    epoch++;
    current = null;
    blocked = undefined;
    scheduler.check();
    // Each may throw synchronously or reject: neither may stop the logout.
    await Promise.allSettled([(async () => store.remove(c.key))(), transactions.clear()]);
    if (announce) tabs?.publishLogout();
    if (had || announce) events.emit('logout', undefined);
  };

  const tabs =
    c.shareAcrossTabs && typeof BroadcastChannel === 'function'
      ? createTabSync(c.key, {
          current: () => current,
          // A session from another tab is taken only when newer than ours.
          onSession: (s) => s && s !== current && newerSession(current, s) === s && void commit(s, true),
          onLogout: () => void clear(false),
        })
      : undefined;

  const scheduler = createScheduler({
    session: () => current,
    automatic: c.automaticSilentRenew,
    lead: c.renewBeforeExpiry * 1000,
    expiring: (s) => events.emit('expiring', publicSession(s)),
    expired: (s) => events.emit('expired', publicSession(s)),
    renew: () => client.renew(),
  });

  /**
   * Reads the stored session; a tab with none asks the other tabs for theirs. A lone tab gets no answer, so that
   * question ends at its timeout, unless a login completes here first (a callback page).
   */
  const ready = (async () => {
    const s = await readStored();
    const fromTab = !s && tabs ? await Promise.race([tabs.ask(true), sessionArrived]) : null;
    // A login may have completed meanwhile (the callback does not wait for this): keep whichever is newer.
    const next = newerSession(current, s ?? fromTab);
    if (next !== current) {
      current = next;
      if (next === fromTab) await save(next);
    }
    scheduler.check();
  })();

  /** Whether a session's token is good for a while yet: outside its renewal window. */
  const fresh = (s: StoredSession) => s.expiresAt - Date.now() > renewalLead(s, c.renewBeforeExpiry * 1000);

  /** One renewal of `prev` (refresh grant or hidden iframe), unless the client was disposed. */
  const renewNow = async (prev: StoredSession | null): Promise<StoredSession> => {
    if (abort.signal.aborted) throw new AuthError('disposed', 'The client was disposed');
    return renewOnce(await metadata(), c, prev, abort.signal);
  };

  /**
   * One renewal for all tabs: under the lock, a session newer than the one this call started from (another tab
   * renewed meanwhile) is taken instead of renewing again.
   */
  const renewShared = async (): Promise<StoredSession> => {
    // When this call was made, and the session it wants replaced (once the stored one is loaded).
    const calledAt = Date.now();
    const started = epoch;
    const before = current;
    await ready;
    const seen = before ?? current;
    const run = async () => {
      // The newest session anywhere: ours, the stored one ('local' is shared), and every other tab's.
      const stored = await readStored();
      const peer = newerSession(newerSession(current, stored), (await tabs?.ask()) ?? null);
      // Join instead of renewing again when a session exists that was obtained after this call, or that is newer
      // than the caller's and not yet due for renewal (another tab renewed just before this one noticed).
      if (peer && peer !== seen && (peer.receivedAt >= calledAt || (newerSession(seen, peer) === peer && fresh(peer)))) {
        if (peer !== current) await commit(peer, true);
        return peer;
      }
      const s = await renewNow(current);
      // A logout or a new login happened meanwhile: this result must not replace what the user did.
      if (started !== epoch) {
        if (current) return current;
        throw new AuthError('login_required', 'Signed out while the renewal was running');
      }
      await commit(s);
      return s;
    };
    try {
      return await (tabs ? tabs.withLock(run) : run());
    } catch (e) {
      const err = toAuthError(e);
      // Only a failure for the session still in use stops its renewals.
      if (needsInteraction(err) && started === epoch) blocked = err;
      events.emit('renewError', err);
      throw err;
    }
  };

  const client: AuthClient = {
    async login(o = {}) {
      const { url, state, tx } = await createAuthorizationRequest(await metadata(), c, {
        ...o,
        redirectUri: c.redirectUri,
      });
      await transactions.save(state, tx);
      location.assign(url.href);
    },

    // Inside the SDK's own silent iframe the app must not treat the response as a login: the parent handles it.
    isCallback: (url = location.href) => window.name !== SILENT_FRAME_NAME && isCallbackUrl(url),

    async handleRedirectCallback(url = location.href) {
      const params = callbackParams(url);
      try {
        const [state, tx] = await takeTransaction(transactions, params);
        const s = await exchangeCallback(await metadata(), c, params, state, tx);
        epoch++;
        await commit(s);
        return { session: publicSession(s), returnTo: tx.returnTo };
      } finally {
        if (new URL(url, location.href).href === location.href) {
          const clean = new URL(location.href);
          for (const p of RESPONSE_PARAMS) clean.searchParams.delete(p);
          history.replaceState(history.state, '', clean.href);
        }
      }
    },

    async getSession() {
      await ready;
      return current && publicSession(current);
    },

    async isAuthenticated() {
      await ready;
      return !!current && current.expiresAt > Date.now();
    },

    async getAccessToken() {
      await ready;
      const s = current;
      if (s && fresh(s)) return s.accessToken;
      try {
        if (blocked) throw blocked;
        return (await client.renew()).accessToken;
      } catch (e) {
        const err = e as AuthError;
        if (c.onSilentRenewFailure === 'redirect' && needsInteraction(err)) {
          const key = `${c.key}:redirected`;
          const last = Number(await tabStore.get(key));
          if (!(Date.now() - last < REDIRECT_GUARD_MS)) {
            await tabStore.set(key, String(Date.now()));
            await client.login({ returnTo: location.href });
          }
        }
        // A session still valid (inside the renewal window) is better than nothing.
        if (s && s === current && s.expiresAt > Date.now()) return s.accessToken;
        throw err;
      }
    },

    renew() {
      inflight ??= renewShared().finally(() => {
        inflight = undefined;
      });
      return inflight.then(publicSession);
    },

    async logout(o = {}) {
      await ready;
      const idToken = current?.idToken;
      await clear(true);
      const returnTo = o.returnTo ?? c.postLogoutRedirectUri;
      const endpoint = (await metadata().catch(() => undefined))?.end_session_endpoint;
      if (!endpoint) {
        if (returnTo) location.assign(returnTo);
        return;
      }
      endSession(endpoint, { clientId: c.clientId, postLogoutRedirectUri: returnTo, idTokenHint: idToken }, c.logoutMethod);
    },

    on: (event, handler) => events.on(event, handler),

    dispose() {
      abort.abort();
      scheduler.dispose();
      tabs?.close();
      events.clear();
    },
  };
  return client;
}

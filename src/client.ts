import {
  type AuthorizationServer,
  None,
  processRefreshTokenResponse,
  refreshTokenGrantRequest,
} from 'oauth4webapi';
import { callbackParams, clientOf, exchangeCallback, isCallbackUrl, takeTransaction } from './callback.js';
import { type AuthClientOptions, type ResolvedConfig, resolveConfig } from './config.js';
import { discover } from './discovery.js';
import { AuthError, isTransient, needsInteraction, toAuthError } from './errors.js';
import { type AuthEventName, Emitter, type Handler } from './events.js';
import { requestOptions } from './http.js';
import { createAuthorizationRequest, TransactionStore } from './login.js';
import { RenewalScheduler, renewalLead } from './renewal.js';
import { parseSession, publicSession, type Session, type StoredSession, sessionFromTokenResponse } from './session.js';
import { runSilentFrame, SILENT_FRAME_NAME } from './silent-frame.js';
import { resolveStore, type SessionStore, webStore } from './storage.js';
import { newerSession, TabSync } from './tabs.js';

/** Options of {@link AuthClient.login}. */
export interface LoginOptions {
  /** Where to go after login; returned by `handleRedirectCallback`. */
  returnTo?: string;
  /** OpenID Connect `prompt`, e.g. `'login'` or `'select_account'`. */
  prompt?: string;
  /** Pre-fills the user name at the provider. */
  loginHint?: string;
  /** More parameters for this request only. */
  extraParams?: Record<string, string>;
}

/** A signed-in browser app's view of OAuth: see {@link createAuthClient}. */
export interface AuthClient {
  /** Starts an interactive login: saves a PKCE transaction and navigates to the provider. */
  login(options?: LoginOptions): Promise<void>;
  /** Whether `url` (default: the current one) is an authorization response for this app to handle. */
  isCallback(url?: string): boolean;
  /** Validates the callback, exchanges the code, stores the session and cleans the address bar. */
  handleRedirectCallback(url?: string): Promise<{ session: Session; returnTo?: string }>;
  /** The current session, or null. */
  getSession(): Promise<Session | null>;
  /** Whether there is a session whose access token has not expired. */
  isAuthenticated(): Promise<boolean>;
  /** A usable access token: the stored one, or a renewed one when it is close to expiry. */
  getAccessToken(): Promise<string>;
  /** Renews now (refresh token if the provider issued one, else the hidden iframe); joins a renewal in flight. */
  renew(): Promise<Session>;
  /** Clears the session here and in other tabs, then ends the provider session (RP-Initiated Logout 1.0). */
  logout(options?: { returnTo?: string }): Promise<void>;
  /**
   * `fetch` with `Authorization: Bearer <access token>` (RFC 6750 §2.1). On a 401 it renews once and retries
   * once; any other status passes through untouched.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends AuthEventName>(event: E, handler: Handler<E>): () => void;
  /** Removes every timer, listener, channel and iframe this client created. */
  dispose(): void;
}

/** Address-bar parameters of an authorization response, removed once it is handled. */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri'];
/** `onSilentRenewFailure: 'redirect'` goes to login at most once a minute: a failing login can never loop. */
const REDIRECT_GUARD_MS = 60_000;

class Client implements AuthClient {
  private readonly events = new Emitter();
  private readonly store: SessionStore;
  private readonly tabStore = webStore('session');
  private readonly transactions: TransactionStore;
  private readonly tabs?: TabSync;
  private readonly scheduler: RenewalScheduler;
  private readonly abort = new AbortController();
  private readonly ready: Promise<void>;
  private as?: Promise<AuthorizationServer>;
  private current: StoredSession | null = null;
  private inflight?: Promise<StoredSession>;
  /** A renewal failure that needs the user, for the current session: stops further silent attempts. */
  private blocked?: AuthError;
  /** Counts logouts: a renewal that started before one must not sign the user back in. */
  private epoch = 0;

  constructor(private readonly c: ResolvedConfig) {
    this.store = resolveStore(c.storage);
    this.transactions = new TransactionStore(this.tabStore, `${c.key}:tx`);
    if (c.shareAcrossTabs && typeof BroadcastChannel === 'function')
      this.tabs = new TabSync(c.key, {
        current: () => this.current,
        onSession: (s) => this.adopt(s),
        onLogout: () => void this.clear(false),
      });
    this.scheduler = new RenewalScheduler({
      session: () => this.current,
      automatic: c.automaticSilentRenew,
      lead: c.renewBeforeExpiry * 1000,
      expiring: (s) => this.events.emit('expiring', publicSession(s)),
      expired: (s) => this.events.emit('expired', publicSession(s)),
      renew: () => this.renew(),
    });
    this.ready = this.load();
  }

  /** Reads the stored session; a tab with none asks the other tabs for theirs. */
  private async load() {
    let s: StoredSession | null = null;
    try {
      s = parseSession(await this.store.get(this.c.key));
    } catch {
      // An unreadable custom store is treated as empty.
    }
    if (!s && this.tabs) {
      s = await this.tabs.ask(true);
      if (s) await this.save(s);
    }
    this.current = newerSession(this.current, s);
    this.scheduler.check();
  }

  private metadata() {
    this.as ??= discover(this.c, this.tabStore).catch((e) => {
      this.as = undefined;
      throw e;
    });
    return this.as;
  }

  private async save(s: StoredSession) {
    try {
      await this.store.set(this.c.key, JSON.stringify(s));
    } catch {
      // A failing custom store: the session still lives in memory and in the other tabs.
    }
  }

  /** Makes `s` the session: stored, announced to the app and (unless it came from there) to the other tabs. */
  private async commit(s: StoredSession, fromTab = false) {
    this.current = s;
    this.blocked = undefined;
    await this.save(s);
    if (!fromTab) this.tabs?.publish(s);
    this.scheduler.check();
    this.events.emit('token', publicSession(s));
  }

  /** A session from another tab, taken only when newer than ours. */
  private adopt(s: StoredSession) {
    if (s && s !== this.current && newerSession(this.current, s) === s) void this.commit(s, true);
  }

  private async clear(announce: boolean) {
    const had = this.current;
    this.epoch++;
    this.current = null;
    this.blocked = undefined;
    this.scheduler.check();
    await Promise.allSettled([this.store.remove(this.c.key), this.transactions.clear()]);
    if (announce) this.tabs?.publishLogout();
    if (had || announce) this.events.emit('logout', undefined);
  }

  async login(o: LoginOptions = {}) {
    const as = await this.metadata();
    const { url, state, tx } = await createAuthorizationRequest(as, this.c, { ...o, redirectUri: this.c.redirectUri });
    await this.transactions.save(state, tx);
    location.assign(url.href);
  }

  isCallback(url: string = location.href) {
    // Inside the SDK's own silent iframe the app must not treat the response as a login: the parent handles it.
    return window.name !== SILENT_FRAME_NAME && isCallbackUrl(url);
  }

  async handleRedirectCallback(url: string = location.href) {
    const params = callbackParams(url);
    try {
      const [state, tx] = await takeTransaction(this.transactions, params);
      const s = await exchangeCallback(await this.metadata(), this.c, params, state, tx);
      await this.ready;
      await this.commit(s);
      return { session: publicSession(s), returnTo: tx.returnTo };
    } finally {
      if (new URL(url, location.href).href === location.href) {
        const clean = new URL(location.href);
        for (const p of RESPONSE_PARAMS) clean.searchParams.delete(p);
        history.replaceState(history.state, '', clean.href);
      }
    }
  }

  async getSession() {
    await this.ready;
    return this.current && publicSession(this.current);
  }

  async isAuthenticated() {
    await this.ready;
    return !!this.current && this.current.expiresAt > Date.now();
  }

  async getAccessToken() {
    await this.ready;
    const s = this.current;
    if (s && s.expiresAt - Date.now() > renewalLead(s, this.c.renewBeforeExpiry * 1000)) return s.accessToken;
    try {
      if (this.blocked) throw this.blocked;
      return (await this.renew()).accessToken;
    } catch (e) {
      const err = e as AuthError;
      if (this.c.onSilentRenewFailure === 'redirect' && needsInteraction(err)) {
        const key = `${this.c.key}:redirected`;
        const last = Number(await this.tabStore.get(key));
        if (!(Date.now() - last < REDIRECT_GUARD_MS)) {
          await this.tabStore.set(key, String(Date.now()));
          await this.login({ returnTo: location.href });
        }
      }
      // A session still valid (inside the renewal window) is better than nothing.
      if (s && s === this.current && s.expiresAt > Date.now()) return s.accessToken;
      throw err;
    }
  }

  renew(): Promise<Session> {
    this.inflight ??= this.renewShared().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight.then(publicSession);
  }

  /**
   * One renewal for all tabs: under the lock, a session newer than the one this call started from (another tab
   * renewed meanwhile) is taken instead of renewing again.
   */
  private async renewShared(): Promise<StoredSession> {
    await this.ready;
    const seen = this.current;
    const epoch = this.epoch;
    const run = async () => {
      const peer = newerSession(this.current, (await this.tabs?.ask()) ?? null);
      if (peer && peer !== seen && (!seen || peer.expiresAt > seen.expiresAt)) {
        if (peer !== this.current) await this.commit(peer, true);
        return peer;
      }
      const s = await this.renewNow(this.current);
      if (epoch !== this.epoch) throw new AuthError('login_required', 'Signed out while the renewal was running');
      await this.commit(s);
      return s;
    };
    try {
      return await (this.tabs ? this.tabs.withLock(run) : run());
    } catch (e) {
      const err = toAuthError(e);
      if (needsInteraction(err)) this.blocked = err;
      this.events.emit('renewError', err);
      throw err;
    }
  }

  /** The refresh_token grant where the provider issued one (RFC 6749 §6), else the hidden iframe. */
  private async renewNow(prev: StoredSession | null): Promise<StoredSession> {
    if (this.abort.signal.aborted) throw new AuthError('disposed', 'The client was disposed');
    const as = await this.metadata();
    let s: StoredSession | undefined;
    if (prev?.refreshToken) {
      try {
        const client = clientOf(this.c);
        const res = await refreshTokenGrantRequest(as, client, None(), prev.refreshToken, requestOptions(this.c));
        const receivedAt = Date.now();
        s = sessionFromTokenResponse(await processRefreshTokenResponse(as, client, res), receivedAt, prev);
      } catch (e) {
        const err = toAuthError(e);
        // A provider that is down stays down for the iframe too; a rejected refresh token may still be replaced.
        if (isTransient(err)) throw err;
      }
    }
    if (!s) {
      const { url, state, tx } = await createAuthorizationRequest(as, this.c, {
        redirectUri: this.c.silentRedirectUri,
        prompt: 'none',
      });
      const params = await runSilentFrame(url.href, tx.redirectUri, state, this.c.silentTimeout, this.abort.signal);
      s = await exchangeCallback(as, this.c, params, state, tx);
    }
    // A renewal is for the same user (OpenID Connect Core §12.2): if someone else signed in at the provider
    // meanwhile, the app has to decide, through an interactive login, rather than switch users silently.
    const sub = prev?.claims?.sub;
    if (sub && s.claims?.sub !== sub) throw new AuthError('login_required', 'The provider answered for another user');
    return s;
  }

  async logout(o: { returnTo?: string } = {}) {
    await this.ready;
    const idToken = this.current?.idToken;
    await this.clear(true);
    const returnTo = o.returnTo ?? this.c.postLogoutRedirectUri;
    const as = await this.metadata().catch(() => undefined);
    const endpoint = as?.end_session_endpoint;
    if (!endpoint) {
      if (returnTo) location.assign(returnTo);
      return;
    }
    // A form POST (RP-Initiated Logout 1.0 §2) keeps the ID token out of the URL, history and server logs.
    const form = document.createElement('form');
    form.method = 'post';
    form.action = endpoint;
    const fields = { client_id: this.c.clientId, id_token_hint: idToken, post_logout_redirect_uri: returnTo };
    for (const [name, value] of Object.entries(fields)) {
      if (!value) continue;
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
  }

  async fetch(input: RequestInfo | URL, init?: RequestInit) {
    const request = new Request(input, init);
    const send = (token: string) => {
      const r = request.clone();
      r.headers.set('Authorization', `Bearer ${token}`);
      return fetch(r);
    };
    const res = await send(await this.getAccessToken());
    return res.status === 401 ? send((await this.renew()).accessToken) : res;
  }

  on<E extends AuthEventName>(event: E, handler: Handler<E>) {
    return this.events.on(event, handler);
  }

  dispose() {
    this.abort.abort();
    this.scheduler.dispose();
    this.tabs?.close();
    this.events.clear();
  }
}

/**
 * Creates a client for one provider and app. Throws `AuthError('invalid_config')` when an option is wrong.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1 authorization code grant
 * @see https://www.rfc-editor.org/rfc/rfc7636 PKCE
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  return new Client(resolveConfig(options));
}

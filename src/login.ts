import {
  type AuthorizationServer,
  calculatePKCECodeChallenge,
  generateRandomCodeVerifier,
  generateRandomNonce,
  generateRandomState,
} from 'oauth4webapi';
import type { ResolvedConfig } from './config.js';
import { AuthError } from './errors.js';
import type { SessionStore } from './storage.js';

/** Whether a scope asks for OpenID Connect (and so an ID token and a nonce). */
export const isOpenId = (scope: string): boolean => /(^|\s)openid(\s|$)/.test(scope);

/** What a pending authorization request remembers until its callback: secrets that never leave this browser. */
export interface Transaction {
  /** PKCE code verifier (RFC 7636 §4.1). */
  verifier: string;
  /** Expected ID-token `nonce` (OpenID Connect Core §3.1.2.1); only when the scope asks for `openid`. */
  nonce?: string | undefined;
  /** The redirect URI the code was issued for; the token request must repeat it. */
  redirectUri: string;
  /** Where the app wants to go after login. */
  returnTo?: string | undefined;
  /** Local time the request was made, ms. */
  createdAt: number;
  /** The `max_age` requested, if any: the ID token's `auth_time` must then be recent enough. */
  maxAge?: number | undefined;
  /**
   * A top-level `prompt=none` sign-in (`restore()`): no user acted, so its session counts as a login made `at` (when
   * it was asked for; a logout made while it ran wins), and it is for `sub` (the user of the session it restores).
   */
  silent?: { sub?: string | undefined; at: number } | undefined;
}

/** How long a login may take before its transaction is dropped. */
export const TRANSACTION_TTL = 10 * 60_000;

/** Per-request options of an authorization request. */
export interface AuthorizationRequestOptions {
  redirectUri: string;
  prompt?: string | undefined;
  loginHint?: string | undefined;
  extraParams?: Record<string, string> | undefined;
  returnTo?: string | undefined;
  /** Starts the `state`: marks a request answered in one of the SDK's own windows (see `sdk-window.ts`). */
  statePrefix?: string | undefined;
}

/**
 * Builds an authorization request (RFC 6749 §4.1.1) with PKCE S256 (RFC 7636 §4.2), a fresh `state` and `nonce`,
 * the configured scope and tenant `acr_values`, and the transaction to keep until the callback.
 */
export async function createAuthorizationRequest(
  as: AuthorizationServer,
  c: ResolvedConfig,
  o: AuthorizationRequestOptions,
): Promise<{ url: URL; state: string; tx: Transaction }> {
  if (!as.authorization_endpoint) throw new AuthError('invalid_response', 'The provider has no authorization_endpoint');
  const verifier = generateRandomCodeVerifier();
  const state = (o.statePrefix ?? '') + generateRandomState();
  const nonce = isOpenId(c.scope) ? generateRandomNonce() : undefined;
  const url = new URL(as.authorization_endpoint);
  const params: Record<string, string | undefined> = {
    ...c.params,
    ...o.extraParams,
    client_id: c.clientId,
    redirect_uri: o.redirectUri,
    response_type: 'code',
    scope: c.scope,
    state,
    nonce,
    code_challenge: await calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    // DPoP (RFC 9449 §10): the code is bound to the key, so only this browser can redeem it.
    dpop_jkt: await c.dpop?.jkt(c),
    prompt: o.prompt,
    login_hint: o.loginHint,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  const maxAge = params.max_age === undefined ? undefined : Number(params.max_age);
  const tx = { verifier, nonce, redirectUri: o.redirectUri, returnTo: o.returnTo, createdAt: Date.now(), maxAge };
  return { url, state, tx };
}

type Pending = Record<string, Transaction>;

export interface TransactionStore {
  save(state: string, tx: Transaction): Promise<void>;
  /**
   * Returns the transaction for `state` and deletes it, so a replayed callback finds nothing. A client disposed
   * before its turn takes nothing, and leaves it to the client that replaced it.
   */
  take(state: string, signal?: AbortSignal): Promise<Transaction | undefined>;
  clear(): Promise<void>;
}

/**
 * The reads and writes of each transaction entry, one at a time in this page. Two clients on one callback page (a
 * React StrictMode or HMR remount, a dispose and a new client) would otherwise both read the transaction before
 * either deleted it, and both redeem the code: the disposed one wins, the live one gets `invalid_grant`.
 */
const queues: Record<string, Promise<unknown>> = {};
const inTurn = <T>(key: string, op: () => Promise<T>): Promise<T> => {
  const run = (queues[key] ?? Promise.resolve()).then(op);
  queues[key] = run.catch(() => {});
  return run;
};

/**
 * Login transactions live in sessionStorage, keyed by `state`, all in one entry per app so that stale ones
 * (older than {@link TRANSACTION_TTL}) are dropped whenever the entry is touched.
 */
export function createTransactionStore(store: SessionStore, key: string): TransactionStore {
  const read = async (): Promise<Pending> => {
    let all: Pending = {};
    try {
      const parsed = JSON.parse((await store.get(key)) || '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) all = parsed;
    } catch {
      // Corrupt: treated as empty, so every callback fails state_mismatch instead of crashing.
    }
    const now = Date.now();
    for (const [state, tx] of Object.entries(all))
      if (!(now - tx?.createdAt < TRANSACTION_TTL && now >= tx.createdAt)) delete all[state];
    return all;
  };
  const write = async (all: Pending) => {
    await (Object.keys(all).length ? store.set(key, JSON.stringify(all)) : store.remove(key));
  };
  return {
    save: (state, tx) =>
      inTurn(key, async () => {
        const all = await read();
        all[state] = tx;
        await write(all);
      }),
    take: (state, signal) =>
      inTurn(key, async () => {
        const all = await read();
        if (signal?.aborted) return undefined;
        const tx = Object.hasOwn(all, state) ? all[state] : undefined;
        delete all[state];
        await write(all);
        return tx;
      }),
    clear: async () => {
      await store.remove(key);
    },
  };
}

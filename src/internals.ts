import type { AuthorizationRequestOptions, Transaction } from './login.js';
import type { ResolvedConfig } from './config.js';
import type { Session } from './session.js';

/**
 * What the optional entry points (`loginWithPopup`, `renewWithPopup`) need of a client and no app should call:
 * kept under a symbol, so that the client's public surface stays what the README documents and the code of those
 * entry points ships only to the apps that import them.
 */
export const INTERNALS: unique symbol = Symbol('connect-pkce');

export interface Internals {
  config: ResolvedConfig;
  /** Aborted when the client is disposed. */
  signal: AbortSignal;
  /** An authorization request of this client (scope, tenant, PKCE, state, nonce) and the transaction it needs. */
  request(o: AuthorizationRequestOptions): Promise<{ url: URL; state: string; tx: Transaction }>;
  /**
   * Validates and exchanges an answer, and commits the session like any other: for the current login and the same
   * user (`renew`), or as a new login.
   */
  complete(params: URLSearchParams, state: string, tx: Transaction, renew: boolean): Promise<Session>;
}

export type WithInternals = { [INTERNALS]: Internals };

import type { AuthorizationServer } from 'oauth4webapi';
import type { AuthClient } from './auth-client.js';
import { AuthError } from './errors.js';
import { inBrowser } from './no-browser.js';
import type { Transaction } from './login.js';
import type { ResolvedConfig } from './config.js';
import type { Session, StoredSession } from './session.js';
import type { SilentRenewal } from './silent-renewal.js';

/**
 * What the optional entry points (`loginWithPopup`, `renewWithPopup`, `monitorSession`) need of a client and no app
 * should call: kept under a symbol, so that the client's public surface stays what the README documents and the code
 * of those entry points ships only to the apps that import them. `Symbol.for`, so that an entry point built on its
 * own (a script-tag add-on) finds the client of the main build.
 */
export const INTERNALS: unique symbol = Symbol.for('connect-pkce');

export interface Internals {
  config: ResolvedConfig;
  /** Aborted when the client is disposed. */
  signal: AbortSignal;
  /** The provider's metadata (discovered once per tab, or the `metadata` option). */
  server(): Promise<AuthorizationServer>;
  /**
   * Validates and exchanges an answer, and commits the session like any other: for the current login and the same
   * user (`renew`), or as a new login.
   */
  complete(params: URLSearchParams, state: string, tx: Transaction, renew: boolean): Promise<Session>;
  /** What the sign-in state is made of now (see `observeAuth`), read synchronously. */
  source(): StateSource;
  /** Calls `fn` after anything in `source()` may have changed; returns the function that stops it. */
  watch(fn: () => void): () => void;
  /** Settles once start-up is done: the stored session (or another tab's) has been read. */
  ready: Promise<void>;
}

/** The parts of the sign-in state, as the client holds them. */
export interface StateSource {
  /** Start-up is done. */
  ready: boolean;
  current: StoredSession | null;
  silentRenewal: SilentRenewal;
  /** The last failure (a renewal, a callback) since the last session arrived. */
  error: AuthError | null;
}

export type WithInternals = { [INTERNALS]: Internals };

/**
 * The internals of a client for an add-on (`who`, e.g. `'signOutWhenIdle'`): none where there is no browser (the
 * inert server-side client), so the add-on stays inert too. An object that is not a client of this SDK (a service
 * that `implements AuthClient` and wraps one) would leave the add-on silently off, a security control included, so
 * it is refused with `invalid_config`.
 */
export function internalsOf(client: AuthClient, who: string): Internals | undefined {
  const inner = (client as Partial<WithInternals>)[INTERNALS];
  if (inner || !inBrowser()) return inner;
  throw new AuthError('invalid_config', `${who}: pass the client that createAuthClient or createConnectClient returned`);
}

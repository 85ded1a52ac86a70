/**
 * One line of the SDK's debug log (the `logger` option): a step and plain facts about it: error codes, modes,
 * counts, durations. Never a token, authorization code, verifier, state, nonce or a URL with its parameters.
 */
export interface LogEntry {
  step: LogStep;
  [fact: string]: string | number | boolean | undefined;
}

/**
 * - `login`: an authorization request is sent (`prompt`; `popup` for `loginWithPopup`);
 * - `callback`: a response was handled (`outcome`: `session` or the error code);
 * - `renew`: a renewal starts (`path`: `refresh_token` / `iframe` / `unavailable` / `unknown`, `waited` for the
 *   lock) or joins another tab's (`joined`);
 * - `renewed` (`path`, `expiresIn` s) or `renewFailed` (`code`, `retryIn` ms, or `held` until a new session);
 * - `probe`: what the check after a login learnt (`verdict`);
 * - `session`: a session from another tab, storage or a late renewal refused (`refused`: `signed-out`, from before the
 *   last logout or the newest login, / `older`);
 * - `logout` (`revoke`: whether a refresh token is revoked, `endSession`: `post` / `get` / `none`);
 * - `monitor` (`monitorSession`): the provider said `changed`, the session `ended` (code), why it is `off`, why it is
 *   `waiting` (third-party cookies blocked, a refresh-token session: either may change), or a check iframe to `retry`;
 * - `idle` (`signOutWhenIdle`): the user was idle for `after` seconds in every tab;
 * - `dpop` (`connect-pkce/dpop`): the provider answered a Bearer token and `bearer: 'accept'` took it (`bearer`).
 */
export type LogStep =
  | 'login'
  | 'callback'
  | 'renew'
  | 'renewed'
  | 'renewFailed'
  | 'probe'
  | 'session'
  | 'logout'
  | 'monitor'
  | 'idle'
  | 'dpop';

/** What the `logger` option takes. */
export type Logger = (entry: LogEntry) => void;

/**
 * A ready-made logger: each entry as one `console.debug` line, e.g. `connect-pkce renewFailed code=timeout
 * retryIn=1000`. Its own export, so apps that log nothing do not ship it.
 */
export const consoleLogger: Logger = ({ step, ...facts }) =>
  console.debug(
    `connect-pkce ${step}`,
    ...Object.entries(facts)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`),
  );

// What the optional entry points (idle, session monitor) share: finding the client's internals, in their own builds.
import { type AuthClient, AuthError } from './index.js';
import { INTERNALS, type Internals, type WithInternals } from './internals.js';
import { inBrowser } from './no-browser.js';
import { sdkWindow } from './sdk-window.js';

/**
 * The internals of a client for an add-on (`who`, e.g. `'signOutWhenIdle'`), or none where the add-on has nothing to
 * do: no browser (the inert server-side client), a disposed client, or a page the SDK itself loaded (its hidden
 * iframe or popup, where an app whose silent redirect URI is one of its own routes boots too: no user works there).
 * An object that is not a client of this SDK (a service that `implements AuthClient` and wraps one) would leave the
 * add-on silently off, a security control included, so it is refused with `invalid_config`.
 *
 * `internalsOf` (internals.ts) does the same for the core; it is not used here because its `AuthError` comes from
 * errors.ts, which the add-on builds would bundle as a second class (`instanceof AuthError` false in the app). This
 * one throws the core's, through `./index.js`, which the builds keep external.
 */
export function addOnInternals(client: AuthClient, who: string): Internals | undefined {
  const inner = (client as Partial<WithInternals>)[INTERNALS];
  if (!inner && inBrowser())
    throw new AuthError('invalid_config', `${who}: pass the client that createAuthClient or createConnectClient returned`);
  return inner && !inner.signal.aborted && !sdkWindow() ? inner : undefined;
}

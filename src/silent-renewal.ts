import type { AuthorizationServer } from 'oauth4webapi';
import type { ResolvedConfig } from './config.js';
import { createAuthorizationRequest } from './login.js';
import { runSilentFrame } from './silent-frame.js';
import { webStore } from './storage.js';

/**
 * How this client renews a session without the user, in this browser, for this provider:
 * - `'refresh_token'`: the provider issued a refresh token (e.g. a CONNECT client with offline access);
 * - `'iframe'`: the hidden iframe sees the provider's session (third-party cookies allowed);
 * - `'unavailable'`: it does not (Safari and iOS with ITP, Chrome Incognito, Brave, third-party cookies off): a
 *   renewal needs the user, through `renewWithPopup()` on a click, or a new login;
 * - `'unknown'`: not learnt yet.
 */
export type SilentRenewal = 'refresh_token' | 'iframe' | 'unavailable' | 'unknown';

/** A verdict holds a week: browsers' cookie settings change (an update, the user), and each login re-checks. */
const VERDICT_TTL_MS = 7 * 24 * 3_600_000;
/** What this browser showed about the hidden iframe and a provider, remembered in localStorage (nothing secret). */
export interface IframeVerdict {
  get(): 'iframe' | 'unavailable' | 'unknown';
  set(v: 'iframe' | 'unavailable'): void;
}

export function iframeVerdict(authority: string): IframeVerdict {
  const store = webStore('local');
  const key = `cpk.iframe:${authority}`;
  return {
    get() {
      const [v, at] = String(store.get(key)).split(' ');
      return (v === 'iframe' || v === 'unavailable') && Date.now() - Number(at) < VERDICT_TTL_MS ? v : 'unknown';
    },
    set: (v) => store.set(key, `${v} ${Date.now()}`),
  };
}

/**
 * Learns whether the hidden iframe can renew, right after an interactive login, when the provider session is
 * certainly alive (so a `login_required` cannot mean that it ended): one `prompt=none` request in the iframe. A code means it can (the code is not exchanged and
 * expires unused at the provider); `login_required` means it cannot see the session. Anything else teaches nothing.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest `prompt=none`
 */
export async function probeIframe(
  as: AuthorizationServer,
  c: ResolvedConfig,
  signal: AbortSignal,
): Promise<'iframe' | 'unavailable' | undefined> {
  const { url, state } = await createAuthorizationRequest(as, c, { redirectUri: c.silentRedirectUri, prompt: 'none' });
  const p = await runSilentFrame(url.href, state, c, signal);
  return p.has('code') ? 'iframe' : p.get('error') === 'login_required' ? 'unavailable' : undefined;
}

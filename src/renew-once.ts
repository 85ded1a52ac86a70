import { type AuthorizationServer, None, processRefreshTokenResponse, refreshTokenGrantRequest } from 'oauth4webapi';
import { clientOf, exchangeCallback } from './callback.js';
import type { ResolvedConfig } from './config.js';
import { AuthError, isTransient, toAuthError } from './errors.js';
import { tokenRequest } from './http.js';
import { createAuthorizationRequest } from './login.js';
import { type LoginRef, type StoredSession, sessionFromTokenResponse } from './session.js';
import { runSilentFrame } from './silent-frame.js';
import type { IframeVerdict } from './silent-renewal.js';

/**
 * Renews `prev` once, in this tab, with no coordination (the client adds the lock and the other tabs): the
 * refresh_token grant where the provider issued a refresh token, else a `prompt=none` authorization request in the
 * hidden iframe whose code is exchanged like a login's. The result keeps `prev`'s login (or, with no `prev`, starts
 * `fresh`: a silent sign-in). It is not stored here.
 *
 * A rejected refresh token falls back to the iframe (the provider session may still be alive); a provider that is
 * down does not, since it is down for the iframe too. The new session must belong to the same user.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6 Refreshing an Access Token
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest `prompt=none`
 */
export async function renewOnce(
  server: AuthorizationServer,
  c: ResolvedConfig,
  prev: StoredSession | null,
  signal: AbortSignal,
  fresh: LoginRef,
  verdict: IframeVerdict,
): Promise<StoredSession> {
  let s: StoredSession | undefined;
  if (prev?.refreshToken) {
    try {
      const client = clientOf(c);
      const res = await tokenRequest(c, signal, (o) => refreshTokenGrantRequest(server, client, None(), prev.refreshToken as string, o));
      const receivedAt = Date.now();
      s = sessionFromTokenResponse(await processRefreshTokenResponse(server, client, res), receivedAt, prev);
    } catch (e) {
      if (isTransient(toAuthError(e))) throw e;
    }
  }
  if (!s) {
    // Known not to work here: fail at once, without an iframe, so the app can ask the user in time.
    if (verdict.get() === 'unavailable')
      throw new AuthError('login_required', 'The hidden iframe cannot see the provider session in this browser: renew with the user');
    const { url, state, tx } = await createAuthorizationRequest(server, c, { redirectUri: c.silentRedirectUri, prompt: 'none' });
    s = await runSilentFrame(url.href, state, c, signal, (params) =>
      exchangeCallback(server, c, params, state, tx, prev ?? fresh, signal),
    );
    // Proof that it works here. A failure proves nothing alone (the provider session may have ended): only the
    // probe right after a login concludes that the iframe cannot see it.
    verdict.set('iframe');
  }
  return sameUser(prev?.claims?.sub, s);
}

/**
 * A renewal is for the same user (OpenID Connect Core §12.2): if someone else signed in at the provider meanwhile,
 * the app has to decide, through an interactive login, rather than switch users silently.
 */
export function sameUser(sub: string | undefined, s: StoredSession): StoredSession {
  if (sub && s.claims?.sub !== sub) throw new AuthError('login_required', 'The provider answered for another user');
  return s;
}

import { type AuthorizationServer, None, processRevocationResponse, revocationRequest } from 'oauth4webapi';
import { clientOf } from './callback.js';
import type { ResolvedConfig } from './config.js';
import { requestOptions } from './http.js';

/** What an RP-initiated logout sends to the provider (OpenID Connect RP-Initiated Logout 1.0 §2). */
export interface EndSessionRequest {
  clientId: string;
  /** Where the provider sends the user afterwards; must be registered exactly. */
  postLogoutRedirectUri?: string | undefined;
  /** Sent only in a POST body, never in a URL. */
  idTokenHint?: string | undefined;
}

/**
 * Revokes a refresh token at the provider's revocation_endpoint, where it has one (RFC 7009 §2.1), so that a copy
 * left in some tab's storage is worthless. Best effort: a logout never waits longer than `requestTimeout` for it,
 * and never fails because of it.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function revokeRefreshToken(as: AuthorizationServer, c: ResolvedConfig, token: string): Promise<void> {
  if (!as.revocation_endpoint) return;
  try {
    const options = { ...requestOptions(c), additionalParameters: { token_type_hint: 'refresh_token' } };
    await processRevocationResponse(await revocationRequest(as, clientOf(c), None(), token, options));
  } catch {
    // The session is cleared here and in every tab either way; the token expires at the provider in time.
  }
}

/**
 * Navigates to the provider's end_session_endpoint. `'post'` submits a form, which keeps the ID token out of the URL,
 * the history and the provider's access logs; `'get'` (for providers that refuse POST) goes without it, since the
 * SDK never puts a token in a URL it creates.
 */
export function endSession(endpoint: string, r: EndSessionRequest, method: 'post' | 'get'): void {
  const fields = { client_id: r.clientId, post_logout_redirect_uri: r.postLogoutRedirectUri };
  if (method === 'get') {
    const url = new URL(endpoint);
    for (const [name, value] of Object.entries(fields)) if (value) url.searchParams.set(name, value);
    location.assign(url.href);
    return;
  }
  const form = document.createElement('form');
  form.method = 'post';
  form.action = endpoint;
  for (const [name, value] of Object.entries({ ...fields, id_token_hint: r.idTokenHint })) {
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

import type { AuthClient } from './client.js';

/** The `fetch` that {@link createAuthorizedFetch} returns. */
export type AuthorizedFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` that sends `client`'s access token as `Authorization: Bearer <token>` (RFC 6750 §2.1). On a 401 it
 * renews once and retries once (the request is cloned, so a body is sent again); any other status passes through
 * untouched, and a failed renewal rejects with its `AuthError`. A separate export rather than a method of the
 * client, so that an app that does not call it does not ship it (CONNECT clients have it as `fetch`).
 *
 * ```ts
 * const api = createAuthorizedFetch(auth);
 * const res = await api('https://api.example/items');
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 Authorization Request Header Field
 */
export function createAuthorizedFetch(client: Pick<AuthClient, 'getAccessToken' | 'renew'>): AuthorizedFetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const send = (token: string) => {
      const r = request.clone();
      r.headers.set('Authorization', `Bearer ${token}`);
      return fetch(r);
    };
    const res = await send(await client.getAccessToken());
    return res.status === 401 ? send((await client.renew()).accessToken) : res;
  };
}

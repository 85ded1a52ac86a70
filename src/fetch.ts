import type { AuthClient } from './client.js';
import { AuthError } from './errors.js';
import { INTERNALS, type WithInternals } from './internals.js';
import { inBrowser } from './no-browser.js';

/** The `fetch` that {@link createAuthorizedFetch} returns. */
export type AuthorizedFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Options of {@link createAuthorizedFetch}. */
export interface AuthorizedFetchOptions {
  /**
   * The origins the token may be sent to, e.g. `['https://uswe.datahub.connect.aveva.com']`. The page's own origin
   * is always allowed. A request anywhere else rejects with `untrusted_origin` and sends nothing.
   */
  origins?: string[];
}

/**
 * The rule every bearer-token sender of the SDK follows (`createAuthorizedFetch`, the Angular interceptor): where the
 * token may go, and what a 401 earns. Exported so that a framework's HTTP layer applies the same rule instead of a
 * copy; an app that uses neither ships none of it.
 */
export interface BearerPolicy {
  /** Whether `url` (absolute) is on the page's own origin or one of the listed `origins`. */
  allows(url: string): boolean;
  /**
   * Calls `send` with a usable token; on a 401 renews once and calls it again, at most once per access token: when
   * the API refuses even the renewed token, later 401s are passed through without a renewal each.
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 invalid_token
   */
  send<R extends { status: number }>(send: (token: string) => Promise<R>): Promise<R>;
}

/** The token rule of {@link createAuthorizedFetch} for other HTTP layers: see {@link BearerPolicy}. */
export function bearerPolicy(
  client: Pick<AuthClient, 'getAccessToken' | 'renew'>,
  options: AuthorizedFetchOptions = {},
): BearerPolicy {
  const origins = new Set((options.origins ?? []).map((o) => new URL(o).origin));
  /** Tokens the API refused with a 401 after which a renewal already happened (the last few). */
  const spent: string[] = [];
  const spend = (token: string) => spent.push(token) > 4 && spent.shift();
  return {
    allows(url) {
      const { origin } = new URL(url);
      return origin === location.origin || origins.has(origin);
    },
    async send(send) {
      const token = await client.getAccessToken();
      const res = await send(token);
      if (res.status !== 401) return res;
      // One renewal per refused token. A token already renewed for is retried with the current one, if there is a
      // newer; an API that refuses even a fresh token gets no renewal per request.
      let next: string;
      if (!spent.includes(token)) {
        spend(token);
        next = (await client.renew()).accessToken;
      } else {
        next = await client.getAccessToken();
        if (next === token) return res;
      }
      const retried = await send(next);
      if (retried.status === 401) spend(next);
      return retried;
    },
  };
}

/**
 * A `fetch` that sends `client`'s access token as `Authorization: Bearer <token>` (RFC 6750 §2.1), to the page's
 * own origin and the `origins` given only. On a 401 it renews once and retries once (the request is cloned, so a
 * body is sent again), at most once per access token: when the API refuses even the renewed token, later requests
 * get their 401 passed through instead of a renewal each. Any other status passes through untouched, and a failed renewal rejects with
 * its `AuthError`. A separate export rather than a method of the client, so that an app that does not call it
 * does not ship it (CONNECT clients have it as `fetch`).
 *
 * ```ts
 * const api = createAuthorizedFetch(auth, { origins: ['https://api.example'] });
 * const res = await api('https://api.example/items');
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 Authorization Request Header Field
 */
export function createAuthorizedFetch(
  client: Pick<AuthClient, 'getAccessToken' | 'renew'>,
  options: AuthorizedFetchOptions = {},
): AuthorizedFetch {
  const policy = bearerPolicy(client, options);
  // A client with the `dpop` option sends its tokens through the DPoP add-on (a proof per request).
  const c = (client as Partial<WithInternals>)[INTERNALS]?.config;
  return async (input, init) => {
    // On the server (a data loader sharing the module that exports the client): the same typed error as the client.
    if (!inBrowser()) throw new AuthError('not_in_browser', 'connect-pkce runs in the browser only');
    const request = new Request(input, init);
    if (!policy.allows(request.url))
      throw new AuthError('untrusted_origin', `Not sending the access token to ${new URL(request.url).origin}: add it to "origins"`);
    return policy.send((token) => {
      const r = request.clone();
      if (c?.dpop) return c.dpop.fetch(r, token, c);
      r.headers.set('Authorization', `Bearer ${token}`);
      return fetch(r);
    });
  };
}

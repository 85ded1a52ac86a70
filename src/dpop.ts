// connect-pkce/dpop: sender-constrained tokens (DPoP, RFC 9449), opt-in. Everything DPoP needs is here and in
// oauth4webapi's DPoP code (proofs, nonces); the core only calls the hooks this returns, at its token requests, its
// authorization requests, its authorized fetch and its logout. An app that does not import this ships none of it.
import {
  allowInsecureRequests,
  customFetch,
  DPoP,
  type DPoPHandle,
  isDPoPNonceError,
  protectedResourceRequest,
  WWWAuthenticateChallengeError,
} from 'oauth4webapi';
import { type DPoPKeyRecord, type DPoPKeyStore, indexedDbKeyStore } from './dpop-store.js';
import type { DPoPHooks, DPoPScope } from './dpop-hooks.js';
import { AuthError } from './index.js';

export type { DPoPKeyRecord, DPoPKeyStore } from './dpop-store.js';
export type { DPoPHooks, DPoPScope } from './dpop-hooks.js';

/** Options of {@link dpop}. */
export interface DPoPOptions {
  /**
   * What to do when the provider answers a token request with a Bearer token although DPoP was asked for (it does
   * not support DPoP, or not for this client). `'refuse'` (default): the login or renewal rejects with
   * `dpop_not_bound` and the token is not used, so a token that can be replayed never reaches the app unnoticed.
   * `'accept'`: the token is taken, a warning is written to the console and the log, and the authorized fetch sends
   * it as `Bearer` until the provider answers DPoP again.
   */
  bearer?: 'refuse' | 'accept' | undefined;
  /** Where the key pairs live. Default: IndexedDB (database `connect-pkce`), shared by the app's tabs. */
  keyStore?: DPoPKeyStore | undefined;
}

/** ECDSA P-256 with SHA-256: `ES256`, which every provider that supports DPoP accepts (RFC 9449 §5.1). */
const ES256 = { name: 'ECDSA', namedCurve: 'P-256' };

/** A new record: a key pair whose private key cannot be exported (WebCrypto keeps it inside the browser). */
const freshRecord = async (): Promise<DPoPKeyRecord> => ({
  id: crypto.randomUUID(),
  keys: (await crypto.subtle.generateKey(ES256, false, ['sign', 'verify'])) as CryptoKeyPair,
});

/** The OAuth `error` of a JSON answer, if it has one. */
const errorOf = async (res: Response): Promise<unknown> => (await res.clone().json().catch(() => undefined))?.error;

/**
 * DPoP for a client: pass the result as `createAuthClient`'s `dpop` option. One key pair per client and authority,
 * made on first use (a non-extractable ES256 key, kept in IndexedDB and shared by the app's tabs), replaced by a new
 * one at each logout. Then:
 * - every authorization request carries `dpop_jkt` (the key's thumbprint), and every token request (the login's
 *   code exchange, the hidden iframe's and the popup's, the refresh grant) a DPoP proof; a `use_dpop_nonce` answer
 *   is retried once with the server's nonce, which is remembered per server for the next requests;
 * - the answer must be a DPoP-bound token (`token_type: DPoP`), else see {@link DPoPOptions.bearer};
 * - `createAuthorizedFetch` (and a CONNECT client's `fetch`) sends `Authorization: DPoP <token>` with a fresh proof
 *   per request (`htm`, `htu`, `ath`), once more on a resource's `use_dpop_nonce`.
 * Where the key cannot be kept (IndexedDB or WebCrypto unavailable: some private windows, storage blocked), login
 * and renewals reject with `dpop_unavailable`: the SDK never falls back to Bearer on its own.
 *
 * ```ts
 * import { createAuthClient } from 'connect-pkce';
 * import { dpop } from 'connect-pkce/dpop';
 * const auth = createAuthClient({ authority, clientId, redirectUri, dpop: dpop() });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
export function dpop(options: DPoPOptions = {}): DPoPHooks {
  const store = options.keyStore ?? indexedDbKeyStore();
  const accept = options.bearer === 'accept';
  if (!accept && options.bearer !== undefined && options.bearer !== 'refuse')
    throw new AuthError('invalid_config', 'connect-pkce: "bearer" must be "refuse" or "accept"');
  /** The oauth4webapi handle of each key in use, by scope name: it keeps the servers' nonces between requests. */
  const handles = new Map<string, { id: string; handle: DPoPHandle }>();
  const nameOf = (s: DPoPScope) => `cpk:${s.clientId}@${s.authority}`;

  /** The stored record of the scope (made if there is none) and its handle; read each time, as tabs share it. */
  const current = async (s: DPoPScope): Promise<[DPoPKeyRecord, DPoPHandle]> => {
    const name = nameOf(s);
    let record: DPoPKeyRecord;
    try {
      record = await store.get(name, freshRecord);
    } catch (e) {
      const cause = { name: (e as Error)?.name, message: (e as Error)?.message };
      throw new AuthError(
        'dpop_unavailable',
        'DPoP: this browser cannot keep the key (IndexedDB or WebCrypto unavailable, e.g. a private window or blocked storage); not falling back to Bearer',
        { cause },
      );
    }
    let held = handles.get(name);
    if (held?.id !== record.id) {
      held = { id: record.id, handle: DPoP({}, record.keys) };
      handles.set(name, held);
    }
    return [record, held.handle];
  };

  /** Records whether the provider answers Bearer (accepted) for this scope, so that the fetch sends what it got. */
  const noteBearer = async (s: DPoPScope, record: DPoPKeyRecord, bearer: boolean) => {
    if (!!record.bearer !== bearer) await store.put(nameOf(s), { ...record, bearer });
  };

  return {
    jkt: async (s) => (await current(s))[1].calculateThumbprint(),

    async token(send, o, s) {
      const [record, handle] = await current(s);
      let res = await send({ ...o, DPoP: handle });
      // The handle kept the nonce from the answer's DPoP-Nonce header: the second proof carries it.
      if (res.status === 400 && (await errorOf(res)) === 'use_dpop_nonce') res = await send({ ...o, DPoP: handle });
      if (!res.ok) return res;
      const body = await res.clone().json().catch(() => undefined);
      const type = String(body?.token_type).toLowerCase();
      if (type === 'dpop') await noteBearer(s, record, false);
      else if (!accept)
        throw new AuthError(
          'dpop_not_bound',
          `DPoP: the provider answered token_type ${JSON.stringify(body?.token_type)}, not a DPoP-bound token; not using it (dpop({ bearer: 'accept' }) would take it)`,
        );
      else {
        s.log({ step: 'dpop', bearer: true });
        console.warn('connect-pkce: DPoP was asked for, but the provider answered a Bearer token: using it as Bearer');
        await noteBearer(s, record, true);
      }
      return res;
    },

    async fetch(request, token, s) {
      const [record, handle] = await current(s);
      if (record.bearer) {
        request.headers.set('Authorization', `Bearer ${token}`);
        return fetch(request);
      }
      // Kept for a retry: a request's body can be read once.
      const again = request.clone();
      const send = async (r: Request, retry: boolean): Promise<Response> => {
        try {
          // oauth4webapi makes the proof and the header; the request itself goes out as the app built it.
          return await protectedResourceRequest(token, r.method, new URL(r.url), undefined, undefined, {
            DPoP: handle,
            // The core already checked the origin (the page's own, or one the app listed), http on localhost included.
            [allowInsecureRequests]: true,
            [customFetch]: (_url, init) => {
              const h = init.headers as Record<string, string>;
              r.headers.set('Authorization', h.authorization as string);
              r.headers.set('DPoP', h.dpop as string);
              return fetch(r);
            },
          });
        } catch (e) {
          if (retry && isDPoPNonceError(e)) return send(again, false);
          if (e instanceof WWWAuthenticateChallengeError) return e.response;
          throw e;
        }
      };
      return send(request, true);
    },

    async reset(s) {
      handles.delete(nameOf(s));
      try {
        await store.delete(nameOf(s));
      } catch {
        // Nothing to delete where nothing could be stored; a logout goes on regardless.
      }
    },
  };
}

import type { TokenEndpointRequestOptions } from 'oauth4webapi';
import type { Logger } from './log.js';

/** Which key a DPoP call is for: one key per client and authority, shared by the app's tabs. */
export interface DPoPScope {
  clientId: string;
  authority: string;
  /** The client's debug log (the `logger` option). */
  log: Logger;
}

/**
 * What the `dpop` option carries: the functions the core calls at the few places where DPoP changes a request, so
 * that all of DPoP (the key, the proofs, the nonces, the policy) lives in `connect-pkce/dpop` and an app that does not
 * turn it on ships none of it. Made by `dpop()` from `connect-pkce/dpop`; an app never calls these itself.
 * @see https://www.rfc-editor.org/rfc/rfc9449 OAuth 2.0 Demonstrating Proof of Possession (DPoP)
 */
export interface DPoPHooks {
  /**
   * The JWK SHA-256 thumbprint of the key, sent as `dpop_jkt` on every authorization request, which binds the
   * authorization code to the key.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-10
   */
  jkt(scope: DPoPScope): Promise<string>;
  /**
   * Sends one token request (`send`, with the core's request options `o`) with a DPoP proof, once more with the
   * server's nonce when it answers `use_dpop_nonce`, and refuses an answer that is not a DPoP-bound token (unless
   * told to accept it).
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
   */
  token(send: (o: TokenEndpointRequestOptions) => Promise<Response>, o: TokenEndpointRequestOptions, scope: DPoPScope): Promise<Response>;
  /**
   * Sends `request` to a protected resource with `Authorization: DPoP <token>` and a fresh proof (`htm`, `htu`,
   * `ath`), once more with the resource's nonce when it answers `use_dpop_nonce`.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-7
   */
  fetch(request: Request, token: string, scope: DPoPScope): Promise<Response>;
  /** Deletes the key (logout): the next login makes a new one. Never rejects. */
  reset(scope: DPoPScope): Promise<void>;
}

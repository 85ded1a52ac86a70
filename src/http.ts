import { allowInsecureRequests, type HttpRequestOptions, type TokenEndpointRequestOptions } from 'oauth4webapi';
import type { ResolvedConfig } from './config.js';

/**
 * Options for every oauth4webapi request: a timeout (an AbortSignal per request, so a hung provider ends in
 * `timeout`), the client's own signal (so `dispose()` aborts a code exchange or refresh in flight, in every browser:
 * the two are joined by hand, as Safari before 17.4 has no `AbortSignal.any`), and plain http only where the config
 * allowed it (loopback).
 */
export const requestOptions = <M, B>(c: ResolvedConfig, signal?: AbortSignal): HttpRequestOptions<M, B> => ({
  signal: () => {
    const either = new AbortController();
    // AbortSignal.timeout arrived in Safari 16: Safari 15.4-15.6 gets the same from a timer.
    const timeout = AbortSignal.timeout?.(c.requestTimeout);
    if (!timeout) setTimeout(() => either.abort(new DOMException('The request timed out', 'TimeoutError')), c.requestTimeout);
    for (const s of [timeout, signal])
      if (s?.aborted) either.abort(s.reason);
      else s?.addEventListener('abort', () => either.abort(s.reason), { once: true });
    return either.signal;
  },
  [allowInsecureRequests]: c.insecure,
});

/**
 * Sends a token request (`send`, given the request options): through the `dpop` option's hook where the app turned
 * DPoP on (a proof on it, a nonce retry, the token type checked), as it is otherwise.
 */
export const tokenRequest = (
  c: ResolvedConfig,
  signal: AbortSignal | undefined,
  send: (o: TokenEndpointRequestOptions) => Promise<Response>,
): Promise<Response> => {
  const o = requestOptions<'POST', URLSearchParams>(c, signal);
  return c.dpop?.token(send, o, c) ?? send(o);
};

import { allowInsecureRequests, type HttpRequestOptions } from 'oauth4webapi';
import type { ResolvedConfig } from './config.js';

/**
 * Options for every oauth4webapi request: a timeout (an AbortSignal per request, so a hung provider ends in
 * `timeout`), the client's own signal (so `dispose()` aborts a code exchange or refresh in flight; browsers without
 * `AbortSignal.any` keep only the timeout), and plain http only where the config allowed it (loopback).
 */
export const requestOptions = <M, B>(c: ResolvedConfig, signal?: AbortSignal): HttpRequestOptions<M, B> => ({
  signal: () => {
    // AbortSignal.timeout arrived in Safari 16: Safari 15.4-15.6 gets the same from a controller and a timer.
    const timeout = AbortSignal.timeout
      ? AbortSignal.timeout(c.requestTimeout)
      : (() => {
          const ctl = new AbortController();
          setTimeout(() => ctl.abort(new DOMException('The request timed out', 'TimeoutError')), c.requestTimeout);
          return ctl.signal;
        })();
    return signal && AbortSignal.any ? AbortSignal.any([timeout, signal]) : timeout;
  },
  [allowInsecureRequests]: c.insecure,
});

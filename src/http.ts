import { allowInsecureRequests, type HttpRequestOptions } from 'oauth4webapi';
import type { ResolvedConfig } from './config.js';

/**
 * Options for every oauth4webapi request: a timeout (an AbortSignal per request, so a hung provider ends in
 * `timeout`), the client's own signal (so `dispose()` aborts a code exchange or refresh in flight; browsers without
 * `AbortSignal.any` keep only the timeout), and plain http only where the config allowed it (loopback).
 */
export const requestOptions = <M, B>(c: ResolvedConfig, signal?: AbortSignal): HttpRequestOptions<M, B> => ({
  signal: () => {
    const timeout = AbortSignal.timeout(c.requestTimeout);
    return signal && AbortSignal.any ? AbortSignal.any([timeout, signal]) : timeout;
  },
  [allowInsecureRequests]: c.insecure,
});

import { allowInsecureRequests, type HttpRequestOptions } from 'oauth4webapi';
import type { ResolvedConfig } from './config.js';

/**
 * Options for every oauth4webapi request: a timeout (an AbortSignal per request, so a hung provider ends in
 * `timeout`), and plain http only where the config allowed it (loopback).
 */
export const requestOptions = <M, B>(c: ResolvedConfig): HttpRequestOptions<M, B> => ({
  signal: () => AbortSignal.timeout(c.requestTimeout),
  [allowInsecureRequests]: c.insecure,
});

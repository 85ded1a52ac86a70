// Splits one silent renew into phases from the page's marks and the browser's request timing (all epoch ms).
import type { Mark, RenewResult } from './globals.js';
import type { NetEntry } from './netlog.js';

export const PHASES = ['prep', 'navStart', 'authorize', 'silentFetch', 'silentRun', 'toToken', 'token', 'finish'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Record<Phase, string> = {
  prep: 'renew() called → iframe inserted (library work; oidc-client-ts inserts an about:blank iframe first)',
  navStart: 'iframe inserted → /authorize request starts (frame creation, navigation start, URL building for oidc-client-ts)',
  authorize: '/authorize request → the redirected silent page request starts (provider, redirect)',
  silentFetch: 'silent page request → its last byte',
  silentRun: 'silent page received → its postMessage reaches the app (iframe commit, page scripts)',
  toToken: 'message received → token request starts (SDK)',
  token: 'token request → its last byte (provider)',
  finish: 'token response received → renew resolves (SDK: validate, store, events)',
};

export type Breakdown = Record<Phase, number>;

/**
 * The phases of one renew, or undefined when a request is missing (then the run is counted in the latency but
 * not in the breakdown). `net` must be the entries that started within the renew.
 */
export function breakdown(r: RenewResult, marks: Mark[], net: NetEntry[], silentPath: string): Breakdown | undefined {
  const auth = net.find((e) => e.url.pathname === '/auth' && e.url.searchParams.get('prompt') === 'none');
  const silent = net.find((e) => e.url.pathname === silentPath && e.from === auth);
  const token = net.find((e) => e.url.pathname === '/token' && e.method === 'POST');
  const message = marks.find((m) => m.name === 'message' && m.epoch >= r.start && m.epoch <= r.end);
  const iframe = marks.find((m) => m.name === 'iframe-added' && m.epoch >= r.start && m.epoch <= r.end);
  if (!auth || !silent?.end || !token?.end || !message || !iframe) return undefined;
  return {
    prep: iframe.epoch - r.start,
    navStart: auth.start - iframe.epoch,
    authorize: silent.start - auth.start,
    silentFetch: silent.end - silent.start,
    silentRun: message.epoch - silent.end,
    toToken: token.start - message.epoch,
    token: token.end - token.start,
    finish: r.end - token.end,
  };
}

// Every request the browser makes, with Playwright's timing, in wall-clock ms (epoch) so it lines up with the
// pages' performance.timeOrigin + performance.now() marks.
import type { BrowserContext, Request } from 'playwright-core';

export interface NetEntry {
  url: URL;
  method: string;
  navigation: boolean;
  /** Epoch ms: when the browser started the request (Playwright's timing.startTime). */
  start: number;
  /** Epoch ms of the first response byte / the last byte, when known. */
  responseStart?: number;
  end?: number;
  status?: number;
  /** The request this one is the redirect target of (e.g. the silent page after /auth). */
  from?: NetEntry;
  failed?: string;
}

export class NetLog {
  readonly entries: NetEntry[] = [];
  private readonly byRequest = new Map<Request, NetEntry>();

  constructor(context: BrowserContext) {
    context.on('request', (r) => {
      const e: NetEntry = {
        url: new URL(r.url()),
        method: r.method(),
        navigation: r.isNavigationRequest(),
        start: Date.now(),
      };
      const from = r.redirectedFrom();
      if (from) {
        const prev = this.byRequest.get(from);
        // A redirect's response is complete when the next request starts.
        if (prev) {
          e.from = prev;
          this.finish(from, prev);
        }
      }
      this.byRequest.set(r, e);
      this.entries.push(e);
    });
    context.on('requestfinished', (r) => {
      const e = this.byRequest.get(r);
      if (e) this.finish(r, e);
    });
    context.on('requestfailed', (r) => {
      const e = this.byRequest.get(r);
      if (e) e.failed = r.failure()?.errorText ?? 'failed';
    });
  }

  private finish(r: Request, e: NetEntry) {
    const t = r.timing();
    if (t.startTime > 0) e.start = t.startTime;
    if (t.responseStart >= 0) e.responseStart = t.startTime + t.responseStart;
    if (t.responseEnd >= 0) e.end = t.startTime + t.responseEnd;
  }

  /** Entries that started within [from, to] (epoch ms). */
  between(from: number, to: number): NetEntry[] {
    return this.entries.filter((e) => e.start >= from && e.start <= to);
  }
}

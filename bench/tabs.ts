// Item 3: authorization requests per renewal cycle with 1, 3 and 5 tabs of each library open, automatic renewal on.
import type { Page } from 'playwright-core';
import { type BenchWorld, type Lib, LIBS, startBenchWorld } from './setup.js';
import { sleep } from './stats.js';

export interface CycleResult {
  tabs: number;
  /** prompt=none authorization requests during the cycle (provider log). */
  authorize: number;
  /** Token requests for those (provider log). */
  token: number;
  /** Every tab ended the cycle with a new token. */
  complete: boolean;
  /** ms from the first to the last tab getting its new token. */
  spreadMs: number;
}

export interface TabsOptions {
  tabCounts: number[];
  accessTokenTtl: number;
  renewLead: number;
}

/** How long to keep counting after the last tab got its token: a duplicate renewal would land in this window. */
const TAIL_MS = 1500;

export async function runTabs(o: TabsOptions, log: (s: string) => void): Promise<Record<Lib, CycleResult[]>> {
  const w = await startBenchWorld({
    accessTokenTtl: o.accessTokenTtl,
    renewLead: o.renewLead,
    automaticSilentRenew: true,
    ssoOnLoad: true,
  });
  const out: Record<Lib, CycleResult[]> = { ours: [], theirs: [] };
  try {
    // The first login goes through the provider's form; afterwards the provider session sends each login straight back.
    const warm = await w.open('ours');
    await w.login('ours', warm);
    await warm.close();
    for (const n of o.tabCounts) {
      log(`  ${n} tab(s) each, ${o.accessTokenTtl} s tokens renewed ${o.renewLead} s before expiry`);
      // One library's tabs open while the other's wait for their cycle: the requests are told apart by redirect_uri,
      // and each library's cycle starts when its own tabs are ready.
      const cycles: Promise<Omit<CycleResult, 'tabs'>>[] = [];
      for (const lib of LIBS) {
        const tabs = await openTabs(w, lib, n);
        cycles.push(cycle(w, lib, tabs, o.accessTokenTtl).finally(() => Promise.all(tabs.map((p) => p.close()))));
      }
      const results = await Promise.all(cycles);
      LIBS.forEach((lib, i) => {
        out[lib].push({ tabs: n, ...results[i]! });
      });
    }
    return out;
  } finally {
    await w.close();
  }
}

/**
 * One tab logs in, the others open together and boot like the app would: connect-pkce takes the session from the
 * other tabs, oidc-client-ts (sessionStorage is per tab) signs in silently. Retried once if a renewal happened while
 * the tabs were still opening (a slow machine), since that cycle could not be counted.
 */
async function openTabs(w: BenchWorld, lib: Lib, n: number, retry = true): Promise<Page[]> {
  const first = await w.open(lib);
  await w.login(lib, first);
  const tabs = [first, ...(await Promise.all(Array.from({ length: n - 1 }, () => w.open(lib))))];
  const early = await Promise.all(tabs.map((p) => p.evaluate(() => window.bench.tokens.some((t) => t !== window.bench.accessToken))));
  if (!early.some(Boolean)) return tabs;
  await Promise.all(tabs.map((p) => p.close()));
  if (!retry) throw new Error(`${lib}: a tab renewed while ${n} tabs were opening, twice; raise accessTokenTtl`);
  return openTabs(w, lib, n, false);
}

async function cycle(w: BenchWorld, lib: Lib, tabs: Page[], ttl: number) {
  const t0 = Date.now();
  const before = await Promise.all(
    tabs.map((p) => p.evaluate(() => ({ token: window.bench.accessToken ?? null, seen: window.bench.tokens.length }))),
  );
  for (const [i, b] of before.entries()) if (!b.token) throw new Error(`${lib} tab ${i + 1} has no token`);
  // A tab's cycle is over when it announced a token other than the one it started with.
  const done = await Promise.all(
    tabs.map((p, i) =>
      p
        .waitForFunction(
          (b) => window.bench.tokens.slice(b.seen).some((t) => t !== b.token),
          before[i]!,
          { timeout: (ttl + 10) * 1000, polling: 100 },
        )
        .then(
          () => Date.now(),
          () => undefined,
        ),
    ),
  );
  await sleep(TAIL_MS);
  const silentUri = w.silentUri[lib];
  const log = await w.idp.requests();
  const inCycle = (kind: 'authorize' | 'token') =>
    log.filter(
      (r) => r.kind === kind && r.time >= t0 && r.params.redirect_uri === silentUri && (kind === 'token' || r.params.prompt === 'none'),
    ).length;
  const times = done.filter((t): t is number => t !== undefined);
  return {
    authorize: inCycle('authorize'),
    token: inCycle('token'),
    complete: times.length === tabs.length,
    spreadMs: times.length ? Math.max(...times) - Math.min(...times) : Number.NaN,
  };
}

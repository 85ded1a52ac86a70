// Items 2, 4 and 5, one tab per library in one browser: silent-renew latency (with its phases), reload to a
// usable token, and callback to a stored session. Runs of the two libraries alternate (ABBA) so that drift in the
// machine's load hits both alike.
import type { Page } from 'playwright-core';
import { type Breakdown, breakdown } from './breakdown.js';
import { NetLog } from './netlog.js';
import { type BenchWorld, type Lib, LIBS, PAGES, startBenchWorld } from './setup.js';
import { sleep } from './stats.js';

export interface LoadSample {
  /** performance.now() on the loaded page when the token / session was there: ms since navigation start. */
  ms: number;
  /** Requests the browser made from navigation start until then: to the provider, and all of them. */
  provider: number;
  all: number;
  /** Of all, the ones that reached the app server or the provider (the rest came from the browser cache). */
  network: number;
}

export interface RenewSample {
  ms: number;
  phases?: Breakdown | undefined;
  /** Requests to the provider during the renew. */
  provider: number;
}

export interface SingleTabResults {
  renew: Record<Lib, RenewSample[]>;
  /** connect-pkce renewing in one of three open tabs (the cross-tab lock and ask() on the path). */
  renewThreeTabs: RenewSample[];
  reload: Record<Lib, LoadSample[]>;
  callback: Record<Lib, LoadSample[]>;
  chromium: string;
}

export interface SingleTabOptions {
  renews: number;
  warmup: number;
  renewsThreeTabs: number;
  reloads: number;
  callbacks: number;
  /** Pause after each renew so that leftover work (iframe teardown) does not spill into the next one. */
  settleMs: number;
}

/** ABBA: pair i runs ours first when i is even, theirs first when odd. */
const order = (i: number): Lib[] => (i % 2 ? [...LIBS].reverse() : LIBS);

const isProvider = (u: URL) => u.hostname === 'idp.test';

export async function runSingleTab(o: SingleTabOptions, log: (s: string) => void): Promise<SingleTabResults> {
  const w = await startBenchWorld({ accessTokenTtl: 3600, renewLead: 60, automaticSilentRenew: true });
  const net = new NetLog(w.browser.context);
  try {
    const pages = {} as Record<Lib, Page>;
    for (const lib of LIBS) {
      pages[lib] = await w.open(lib);
      await w.login(lib, pages[lib]);
    }
    const cdp = await w.browser.context.newCDPSession(pages.ours);
    const { product } = (await cdp.send('Browser.getVersion')) as { product: string };
    await cdp.detach();

    const out: SingleTabResults = {
      renew: { ours: [], theirs: [] },
      renewThreeTabs: [],
      reload: { ours: [], theirs: [] },
      callback: { ours: [], theirs: [] },
      chromium: product,
    };

    log(`  callback → session, ${o.callbacks} each`);
    for (let i = 0; i < o.callbacks; i++)
      for (const lib of order(i)) out.callback[lib].push(await callbackOnce(w, net, pages[lib]));

    log(`  reload → token, ${o.reloads} each`);
    for (let i = 0; i < o.reloads; i++) for (const lib of order(i)) out.reload[lib].push(await reloadOnce(w, net, pages[lib]));

    log(`  silent renew, ${o.warmup} warm-up + ${o.renews} each, automatic renewal off`);
    await w.setAutomaticRenew(false);
    for (const lib of LIBS) await w.open(lib, pages[lib]);
    for (let i = 0; i < o.warmup + o.renews; i++)
      for (const lib of order(i)) {
        const s = await renewOnce(net, pages[lib], lib, o.settleMs);
        if (i >= o.warmup) out.renew[lib].push(s);
      }

    log(`  connect-pkce silent renew with three tabs open, ${o.renewsThreeTabs}`);
    await pages.theirs.close();
    const others = [await w.open('ours'), await w.open('ours')];
    for (let i = 0; i < o.warmup + o.renewsThreeTabs; i++) {
      const s = await renewOnce(net, pages.ours, 'ours', o.settleMs);
      if (i >= o.warmup) out.renewThreeTabs.push(s);
    }
    for (const p of others) await p.close();
    return out;
  } finally {
    await w.close();
  }
}

async function renewOnce(net: NetLog, page: Page, lib: Lib, settleMs: number): Promise<RenewSample> {
  const r = await page.evaluate(() => window.bench.renew());
  // Let the request events of this renew arrive, and the page finish whatever the renew left behind.
  await sleep(settleMs);
  const marks = await page.evaluate((since) => window.bench.marks.filter((m) => m.epoch >= since), r.start - 1);
  const entries = net.between(r.start - 1, r.end);
  const silentPath = lib === 'ours' ? PAGES.oursSilent : PAGES.theirsSilent;
  return {
    ms: r.ms,
    phases: breakdown(r, marks, entries, silentPath),
    provider: entries.filter((e) => isProvider(e.url)).length,
  };
}

const appHits = async (w: BenchWorld) => [...(await w.counts()).values()].reduce((a, b) => a + b, 0);

/** Requests from `from` (epoch ms) until the page reached `at` (performance.now() on that page). */
async function loadSample(w: BenchWorld, net: NetLog, page: Page, from: number, hitsBefore: number, key: 'tokenAt' | 'sessionAt') {
  await page.waitForFunction((k) => window.bench?.[k] !== undefined || window.bench?.error !== undefined, key);
  const { at, origin, error } = await page.evaluate((k) => ({ at: window.bench[k], origin: performance.timeOrigin, error: window.bench.error }), key);
  if (error || at === undefined) throw new Error(`${page.url()}: ${error}`);
  await sleep(300);
  const until = origin + at;
  const entries = net.between(from, until);
  const provider = entries.filter((e) => isProvider(e.url)).length;
  // App-server hits are counted up to now; the page makes no requests after it has its token.
  return { ms: at, provider, all: entries.length, network: (await appHits(w)) - hitsBefore + provider };
}

async function reloadOnce(w: BenchWorld, net: NetLog, page: Page): Promise<LoadSample> {
  const hits = await appHits(w);
  const from = Date.now();
  await page.reload();
  return loadSample(w, net, page, from, hits, 'tokenAt');
}

/**
 * Logs in again (the provider session makes it a straight redirect back), holds the callback page, then loads the
 * same callback URL as a fresh navigation and times it: the clock starts at that navigation, not at the provider.
 */
async function callbackOnce(w: BenchWorld, net: NetLog, page: Page): Promise<LoadSample> {
  await page.evaluate(() => sessionStorage.setItem('bench.hold', '1'));
  await Promise.all([
    page.waitForURL((u) => u.hostname === 'app.test' && u.searchParams.has('code')),
    page.evaluate(() => void window.bench.login()),
  ]);
  await page.waitForFunction(() => window.bench?.held !== undefined);
  const held = await page.evaluate(() => {
    sessionStorage.removeItem('bench.hold');
    return window.bench.held as string;
  });
  const hits = await appHits(w);
  const from = Date.now();
  await page.goto(held);
  return loadSample(w, net, page, from, hits, 'sessionAt');
}

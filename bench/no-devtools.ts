// Silent renews in a Chromium that no DevTools client is attached to: the same binary, switches and pages, started
// directly instead of through Playwright. Playwright instruments every frame and request (an extra JS world per
// document, events for every request and frame, a target that waits for it on every new process), which is work the
// browser does not do for real users; this run shows the renew without it. The pages (bench/pages/plain-*.html)
// renew in rounds that alternate ABBA between the libraries and report through the request path
// (`/report/<lib>/<round>/<json>`), since nothing else can reach into that browser.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, CROSS_SITE_ARGS } from '../examples/demo/chromium.js';
import { fillLogin } from '../test/e2e/support/login.js';
import { type BenchServers, type Lib, PAGES } from './setup.js';
import { sleep } from './stats.js';

export const EXECUTABLE = CHROMIUM_PATH;
/** The same switches as test/e2e/support/browser.ts. */
export const ARGS = [...CHROMIUM_ARGS, ...CROSS_SITE_ARGS];

/** One renew as the page saw it: total ms, and the message / token request start / end, ms after renew() began. */
export type PlainRow = [total: number, message: number, tokenStart: number, tokenEnd: number];

export interface PlainOptions {
  rounds: number;
  /** Renews per round, after one warm-up renew per page load. */
  perRound: number;
  timeoutMs: number;
}

/** A fresh profile holding a provider session (the login runs once under Playwright, then the browser closes). */
export async function loggedInProfile(s: BenchServers): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'connect-pkce-bench-'));
  await mkdir(join(dir, 'Default'));
  // As browser.ts: allow third-party cookies (Debian's Chromium blocks them in a fresh profile).
  await writeFile(join(dir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  const ctx = await chromium.launchPersistentContext(dir, { executablePath: EXECUTABLE, headless: true, ignoreHTTPSErrors: true, args: ARGS });
  try {
    const page = await ctx.newPage();
    await page.goto(s.origin + PAGES.ours);
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    await Promise.all([page.waitForURL((u) => u.hostname === 'idp.test'), page.evaluate(() => void window.bench.login())]);
    await fillLogin(page);
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
  } finally {
    await ctx.close();
  }
  return dir;
}

const reportKeys = async (s: BenchServers) => [...(await s.counts()).keys()].filter((k) => k.startsWith('/report/'));

/** Reads the rows the pages reported after `skip` earlier reports. */
export async function plainRows(s: BenchServers, skip = 0): Promise<Record<Lib, PlainRow[]>> {
  const out: Record<Lib, PlainRow[]> = { ours: [], theirs: [] };
  for (const k of (await reportKeys(s)).slice(skip)) {
    const m = /^\/report\/(ours|theirs)\/\d+\/(.*)$/.exec(k);
    if (m) out[m[1] as Lib].push(...(JSON.parse(m[2]!) as PlainRow[]));
  }
  return out;
}

/** Loads the first plain page in `launch()`'s browser and waits until every round reported. */
export async function runPlainRounds(s: BenchServers, o: PlainOptions, launch: (url: string) => Promise<() => Promise<void>>) {
  const before = (await reportKeys(s)).length;
  const reported = async () => (await reportKeys(s)).length - before;
  const stop = await launch(`${s.origin}/bench/plain-ours.html?round=0&rounds=${o.rounds}&n=${o.perRound}`);
  try {
    const until = Date.now() + o.timeoutMs;
    while ((await reported()) < o.rounds && Date.now() < until) await sleep(250);
    const n = await reported();
    if (n < o.rounds) throw new Error(`only ${n} of ${o.rounds} rounds reported within ${o.timeoutMs} ms`);
  } finally {
    await stop();
  }
  return plainRows(s, before);
}

/** Chromium started directly on `dir`, headless, nothing attached. */
export async function launchPlain(dir: string, url: string): Promise<() => Promise<void>> {
  const child: ChildProcess = spawn(EXECUTABLE, [...ARGS, '--headless', `--user-data-dir=${dir}`, url], { stdio: 'ignore' });
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
  };
}

/** The whole no-DevTools measurement: profile, rounds, cleanup. */
export async function runWithoutDevTools(s: BenchServers, o: PlainOptions): Promise<Record<Lib, PlainRow[]>> {
  const dir = await loggedInProfile(s);
  try {
    return await runPlainRounds(s, o, (url) => launchPlain(dir, url));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// `npm run bench`: connect-pkce against oidc-client-ts, one run, real Chromium and Firefox ESR, the e2e provider. Writes
// BENCHMARKS.md and prints the table. A benchmark, not a test: it fails only when something cannot be measured.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/e2e/support/app-server.js';
import { type FirefoxResults, runFirefox } from './firefox.js';
import { renderMarkdown, renderTable, type Results } from './report.js';
import { runSingleTab } from './single-tab.js';
import { runWithoutDevTools } from './no-devtools.js';
import { BUILD_DIR, snapshotDist, startBenchServers } from './setup.js';
import { measureSizes } from './sizes.js';
import { runTabs } from './tabs.js';

const started = Date.now();
const loadStart = os.loadavg()[0]!;
const log = (s: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}`);
const version = (pkg: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, ...(pkg === 'connect-pkce' ? [] : ['node_modules', pkg]), 'package.json'), 'utf8')).version as string;

const SETTLE_MS = 100;
const PLAIN = { rounds: 8, perRound: 5, timeoutMs: 120_000 };
const FIREFOX = { rounds: 8, perRound: 5, timeoutMs: 180_000 };
const TABS = { tabCounts: [1, 3, 5], accessTokenTtl: 15, renewLead: 4 };

/** Which source was measured: the commit, and whether src/ differed from it. */
function source(): string {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--', 'src', 'rollup.config.mjs') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' plus uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const measured = source();
await snapshotDist();
log('1. bundle sizes');
const sizes = await measureSizes();
log('2, 4, 5. one tab per library');
const single = await runSingleTab(
  { renews: 40, warmup: 2, renewsThreeTabs: 10, reloads: 6, callbacks: 6, settleMs: SETTLE_MS },
  log,
);
log('2b. silent renew in Chromium without DevTools attached');
const plainServers = await startBenchServers({ accessTokenTtl: 3600, renewLead: 60, automaticSilentRenew: false, ssoOnLoad: true });
let plain: Results['plain'];
let firefox: FirefoxResults;
try {
  plain = await runWithoutDevTools(plainServers, PLAIN);
  log('2f. silent renew in Firefox ESR: the same pages, the same provider');
  firefox = await runFirefox(plainServers, FIREFOX);
} finally {
  await plainServers.close();
}
log('3. renewal cycles with several tabs');
const tabs = await runTabs(TABS, log);

const results: Results = {
  sizes,
  single,
  plain,
  plainRounds: PLAIN.rounds,
  firefox: firefox.rows,
  firefoxRounds: FIREFOX.rounds,
  tabs,
  tabsTtl: TABS.accessTokenTtl,
  tabsLead: TABS.renewLead,
  settleMs: SETTLE_MS,
  env: {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvg: [loadStart, os.loadavg()[0]!],
    chromium: single.chromium,
    firefox: firefox.version,
    node: process.version,
    versions: {
      'connect-pkce': version('connect-pkce'),
      'oidc-client-ts': version('oidc-client-ts'),
      'oidc-provider': version('oidc-provider'),
      'playwright-core': version('playwright-core'),
      'puppeteer-core': version('puppeteer-core'),
    },
    command: 'npm run bench',
    source: measured,
    durationS: (Date.now() - started) / 1000,
  },
};

await writeFile(join(REPO_ROOT, 'BENCHMARKS.md'), renderMarkdown(results));
// The raw numbers of this run, for a closer look (git-ignored).
await writeFile(join(BUILD_DIR, 'results.json'), JSON.stringify(results, null, 1));
console.log(`\n${renderTable(results)}\n`);
log(`wrote BENCHMARKS.md in ${results.env.durationS.toFixed(0)} s`);

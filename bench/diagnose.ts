// Diagnostics (not part of `npm run bench`): how much of a silent renew is the test harness itself? Runs the same
// renew pages (bench/pages/plain-*.html) in Chromium driven by Playwright, then in the same binary and profile with
// no DevTools client attached. Run `npm run build` first. Usage: npx tsx bench/diagnose.ts [rounds] [renews per round]
import { rm } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { ARGS, EXECUTABLE, launchPlain, loggedInProfile, type PlainRow, runPlainRounds } from './no-devtools.js';
import { type Lib, LIBS, snapshotDist, startBenchServers } from './setup.js';
import { median, percentile } from './stats.js';

const o = { rounds: Number(process.argv[2] ?? 8), perRound: Number(process.argv[3] ?? 6), timeoutMs: 240_000 };

function summary(label: string, rows: Record<Lib, PlainRow[]>) {
  for (const lib of LIBS) {
    const r = rows[lib];
    const col = (i: 0 | 1 | 2 | 3) => r.map((x) => x[i]).filter((x) => x >= 0);
    const token = r.filter((x) => x[2] >= 0 && x[3] >= 0).map((x) => x[3] - x[2]);
    const finish = r.filter((x) => x[3] >= 0).map((x) => x[0] - x[3]);
    console.log(
      `${label.padEnd(18)} ${lib.padEnd(6)} n=${String(r.length).padStart(3)}  median ${median(col(0)).toFixed(1).padStart(6)}  p95 ${percentile(col(0), 95).toFixed(1).padStart(6)}` +
        `  | → message ${median(col(1)).toFixed(1).padStart(6)}  → token request ${median(col(2)).toFixed(1).padStart(6)}` +
        `  token ${median(token).toFixed(1).padStart(5)}  token → done ${median(finish).toFixed(1).padStart(5)}`,
    );
  }
}

await snapshotDist();
const servers = await startBenchServers({ accessTokenTtl: 3600, renewLead: 60, automaticSilentRenew: false, ssoOnLoad: true });
const dir = await loggedInProfile(servers);
try {
  const viaPlaywright = await runPlainRounds(servers, o, async (url) => {
    const ctx = await chromium.launchPersistentContext(dir, { executablePath: EXECUTABLE, headless: true, ignoreHTTPSErrors: true, args: ARGS });
    await (await ctx.newPage()).goto(url);
    return () => ctx.close();
  });
  const plain = await runPlainRounds(servers, o, (url) => launchPlain(dir, url));
  console.log(`${o.rounds} rounds × ${o.perRound} renews, ABBA; ms after renew() began (medians)`);
  summary('Playwright', viaPlaywright);
  summary('no DevTools', plain);
} finally {
  await servers.close();
  await rm(dir, { recursive: true, force: true });
}

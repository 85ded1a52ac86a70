// Turns the measurements into the table printed to stdout and the generated BENCHMARKS.md.
import { PHASE_LABELS, PHASES } from './breakdown.js';
import type { PlainRow } from './no-devtools.js';
import type { Size, Sizes } from './sizes.js';
import type { LoadSample, RenewSample, SingleTabResults } from './single-tab.js';
import { median, percentile } from './stats.js';
import type { CycleResult } from './tabs.js';
import type { Lib } from './setup.js';

export interface Environment {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  loadAvg: [number, number];
  chromium: string;
  /** The e2e Firefox driver's version string, e.g. `Firefox 153.8.0`. */
  firefox: string;
  node: string;
  versions: Record<'connect-pkce' | 'oidc-client-ts' | 'oidc-provider' | 'playwright-core' | 'puppeteer-core', string>;
  command: string;
  /** The commit measured, and whether src/ had changes on top. */
  source: string;
  durationS: number;
}

export interface Results {
  sizes: Sizes;
  single: SingleTabResults;
  /** Item 2 again in a Chromium with no DevTools client attached (no-devtools.ts). */
  plain: Record<Lib, PlainRow[]>;
  plainRounds: number;
  /** Item 2b's pages and rounds in Debian Firefox ESR through the e2e driver (firefox.ts). */
  firefox: Record<Lib, PlainRow[]>;
  firefoxRounds: number;
  tabs: Record<Lib, CycleResult[]>;
  tabsTtl: number;
  tabsLead: number;
  settleMs: number;
  env: Environment;
}

const int = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const ratio = (a: number, b: number) => (Number.isFinite(a / b) && b !== 0 ? (a / b).toFixed(2) : '—');
const medOf = <T>(xs: T[], f: (x: T) => number) => median(xs.map(f));
/** "0 (0–0)": the median and the range of a small count. */
const count = <T>(xs: T[], f: (x: T) => number) => {
  const v = xs.map(f);
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo === hi ? String(lo) : `${median(v)} (${lo}–${hi})`;
};

type Row = [string, string, string, string];

/** Median, p95 and range of one silent-renew measurement for both libraries. */
const latency = (label: string, a: number[], b: number[]): Row[] => {
  const range = (xs: number[]) => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
  const p95 = (xs: number[]) => percentile(xs, 95);
  return [
    [`${label}, median ms (n = ${a.length} / ${b.length})`, ms(median(a)), ms(median(b)), ratio(median(a), median(b))],
    [`${label}, p95 ms`, ms(p95(a)), ms(p95(b)), ratio(p95(a), p95(b))],
    [`${label}, min–max ms`, range(a), range(b), ''],
  ];
};

/** The browsers of the run as the report names them, e.g. `Chromium 156.0.8078.114`, `Firefox ESR 153.8.0`. */
const browsers = (e: Environment) => ({
  chromium: `Chromium ${e.chromium.replace(/^.*\//, '')}`,
  firefox: `Firefox ESR ${e.firefox.replace(/^firefox\s*/i, '').replace(/esr$/, '')}`,
});

function rows(r: Results): Row[] {
  const { sizes: s, single, tabs } = r;
  const size = (label: string, a: Size, b: Size, k: keyof Size): Row => [label, int(a[k]), int(b[k]), ratio(a[k], b[k])];
  const renewMs = (lib: Lib) => single.renew[lib].map((x) => x.ms);
  const plainMs = (lib: Lib) => r.plain[lib].map((x) => x[0]);
  const firefoxMs = (lib: Lib) => r.firefox[lib].map((x) => x[0]);
  const load = (label: string, a: LoadSample[], b: LoadSample[]): Row[] => [
    [`${label}: ms, median of ${a.length}`, ms(medOf(a, (x) => x.ms)), ms(medOf(b, (x) => x.ms)), ratio(medOf(a, (x) => x.ms), medOf(b, (x) => x.ms))],
    [`${label}: requests to the provider`, count(a, (x) => x.provider), count(b, (x) => x.provider), ''],
    [`${label}: requests, all (reaching a server)`, `${count(a, (x) => x.all)} (${count(a, (x) => x.network)})`, `${count(b, (x) => x.all)} (${count(b, (x) => x.network)})`, ''],
  ];
  const out: Row[] = [
    size('1. App bundle, minified (bytes)', s.ours, s.theirs, 'min'),
    size('1. App bundle, gzip -9 (bytes)', s.ours, s.theirs, 'gzip'),
    size('1. Silent-renew page payload, gzip -9 (bytes)', s.oursSilent, s.theirsSilent, 'gzip'),
    ['1. Script-tag build, gzip -9 (bytes)', `${int(s.oursIife.gzip)} (iife.min.js)`, `${int(s.theirsBrowser.gzip)} (browser/min.js)`, ratio(s.oursIife.gzip, s.theirsBrowser.gzip)],
    ...(s.oursIifeOauth4webapi
      ? [['1. … of it, the oauth4webapi functions it calls, alone (bytes)', int(s.oursIifeOauth4webapi.gzip), '', ''] as Row]
      : []),
    ...latency('2. Silent renew', renewMs('ours'), renewMs('theirs')),
    ...latency('2b. Silent renew, no DevTools attached', plainMs('ours'), plainMs('theirs')).slice(0, 2),
    ...latency('2f. Silent renew in Firefox ESR', firefoxMs('ours'), firefoxMs('theirs')),
    [`2. Silent renew with 3 tabs open, median ms (n = ${single.renewThreeTabs.length})`, ms(medOf(single.renewThreeTabs, (x) => x.ms)), 'not measured', ''],
  ];
  for (const [i, c] of tabs.ours.entries()) {
    const t = tabs.theirs[i]!;
    const cell = (x: CycleResult) => `${x.authorize}${x.complete ? '' : ' (incomplete)'}`;
    out.push([`3. Authorization requests per cycle, ${c.tabs} tab${c.tabs > 1 ? 's' : ''}`, cell(c), cell(t), '']);
  }
  out.push(...load('4. Reload → usable token', single.reload.ours, single.reload.theirs));
  out.push(...load('5. Callback → stored session', single.callback.ours, single.callback.theirs));
  return out;
}

function table(rs: Row[]): string {
  const head: Row = ['Metric', 'connect-pkce', 'oidc-client-ts', 'ours/theirs'];
  const w = head.map((h, i) => Math.max(h.length, ...rs.map((r) => r[i]!.length)));
  const line = (r: Row) => `| ${r.map((c, i) => (i ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join(' | ')} |`;
  const sep = `|${w.map((n, i) => (i ? `${'-'.repeat(n + 1)}:` : '-'.repeat(n + 2))).join('|')}|`;
  return [line(head), sep, ...rs.map(line)].join('\n');
}

function phaseTable(r: Results): string {
  const of = (xs: RenewSample[]) => xs.flatMap((x) => (x.phases ? [x.phases] : []));
  const cols = { ours: of(r.single.renew.ours), theirs: of(r.single.renew.theirs), three: of(r.single.renewThreeTabs) };
  const head = `| Phase of one silent renew (median ms) | connect-pkce (n = ${cols.ours.length}) | oidc-client-ts (n = ${cols.theirs.length}) | connect-pkce, 3 tabs (n = ${cols.three.length}) |`;
  const lines = PHASES.map(
    (p) => `| ${PHASE_LABELS[p]} | ${ms(median(cols.ours.map((b) => b[p])))} | ${ms(median(cols.theirs.map((b) => b[p])))} | ${ms(median(cols.three.map((b) => b[p])))} |`,
  );
  return [head, '|---|--:|--:|--:|', ...lines].join('\n');
}

/** ours / theirs of the median renew the pages reported (2b, 2f). */
const pageRatio = (rows: Record<Lib, PlainRow[]>) => (median(rows.ours.map((x) => x[0])) / median(rows.theirs.map((x) => x[0]))).toFixed(3);

interface Goal {
  text: string;
  met: boolean;
  detail: string;
}

export function goals(r: Results): Goal[] {
  const ours = median(r.single.renew.ours.map((x) => x.ms));
  const theirs = median(r.single.renew.theirs.map((x) => x.ms));
  const five = r.tabs.ours.find((c) => c.tabs === 5);
  const reloadProvider = Math.max(...r.single.reload.ours.map((x) => x.provider));
  return [
    {
      text: 'median silent renew ≤ 0.8 × oidc-client-ts (same run)',
      met: ours <= 0.8 * theirs,
      detail: `${ms(ours)} ms vs ${ms(theirs)} ms = ${(ours / theirs).toFixed(3)} × (without DevTools, 2b: ${pageRatio(r.plain)} ×; Firefox ESR, 2f: ${pageRatio(r.firefox)} ×)`,
    },
    {
      text: '1 authorization request per renewal cycle with 5 tabs',
      met: !!five && five.complete && five.authorize === 1,
      detail: five ? `${five.authorize} request(s)${five.complete ? '' : ', cycle incomplete'}` : 'not measured',
    },
    {
      text: '0 requests to the provider from reload to a usable token',
      met: reloadProvider === 0,
      detail: `at most ${reloadProvider} over ${r.single.reload.ours.length} reloads`,
    },
  ];
}

export function renderTable(r: Results): string {
  const g = goals(r)
    .map((x) => `- ${x.met ? 'MET' : 'NOT MET'}: ${x.text}: ${x.detail}`)
    .join('\n');
  return `${table(rows(r))}\n\nGoals\n${g}`;
}

export function renderMarkdown(r: Results): string {
  const e = r.env;
  const b = browsers(e);
  const g = goals(r)
    .map((x) => `| ${x.text} | ${x.met ? '**met**' : '**not met**'} | ${x.detail} |`)
    .join('\n');
  const cycles = r.tabs.ours
    .map((c, i) => {
      const t = r.tabs.theirs[i]!;
      const cell = (x: CycleResult) =>
        `${x.authorize} | ${x.token} | ${ms(x.spreadMs)}${x.complete ? '' : ' (a tab never renewed)'}`;
      return `| ${c.tabs} | ${cell(c)} | ${cell(t)} |`;
    })
    .join('\n');
  return `<!-- Generated by \`npm run bench\` (bench/run.ts). Do not edit by hand: re-run the benchmark instead. -->
# Benchmarks

connect-pkce ${e.versions['connect-pkce']} against oidc-client-ts ${e.versions['oidc-client-ts']}, in one run, in real browsers: Debian's ${b.chromium}
(items 2 to 5) and Debian's ${b.firefox} (item 2f, the silent renew), both against the end-to-end provider
(oidc-provider ${e.versions['oidc-provider']} over HTTPS, \`test/e2e/support\`).

${table(rows(r))}

## Goals

| Goal | Result | Measured |
|---|---|---|
${g}

## Renewal cycles with several tabs

One cycle per row: authorization (\`prompt=none\`) and token requests at the provider, and how long after the first tab
the last one had its new token.

| Tabs | connect-pkce: authorize | token | last tab after first, ms | oidc-client-ts: authorize | token | last tab after first, ms |
|--:|--:|--:|--:|--:|--:|--:|
${cycles}

## Where a silent renew's time goes

Phases from the page's own marks (\`bench/pages/instrument.js\`: iframe added, message received) and Chromium's
request timing (Playwright). Medians per phase, so they need not add up to the median total.

${phaseTable(r)}

## How it was measured

- **Command:** \`${e.command}\` (builds \`dist/\` first and measures a copy of that build). Run on ${e.date}, took ${e.durationS.toFixed(0)} s.
- **Source measured:** ${e.source}.
- **Machine:** ${e.cpu}, ${e.cores} cores, ${e.memoryGiB.toFixed(1)} GiB memory, ${e.os}; load average ${e.loadAvg[0].toFixed(2)} at the start, ${e.loadAvg[1].toFixed(2)} at the end.
- **Software:** ${e.chromium} (Debian Chromium, headless, through playwright-core ${e.versions['playwright-core']}),
  ${b.firefox} (Debian \`firefox-esr\`, headless, through puppeteer-core ${e.versions['puppeteer-core']} over WebDriver BiDi), Node ${e.node},
  connect-pkce ${e.versions['connect-pkce']}, oidc-client-ts ${e.versions['oidc-client-ts']}, oidc-provider ${e.versions['oidc-provider']}.
- **Pages** (\`bench/pages/\`): one app page per library, each loading one minified script (\`dist/connect-pkce.iife.min.js\`,
  \`oidc-client-ts/dist/browser/oidc-client-ts.min.js\`), both with \`scope: 'openid profile'\`, the same provider and client.
  connect-pkce's silent page is its shipped \`dist/silent-renew.html\`; oidc-client-ts's is the documented page that loads the
  library and calls \`new UserManager(settings).signinSilentCallback()\`, with \`userStore\` = sessionStorage (its default).
  Scripts are served cacheable (\`max-age=3600\`), pages and \`/config.js\` with \`no-store\`.
- **1. Size:** \`bench/entries/*.js\` (createAuthClient + login, handleRedirectCallback, getAccessToken, on; UserManager +
  signinRedirect, signinRedirectCallback, getUser, events.addUserLoaded, signinSilent, signinSilentCallback) bundled by rollup +
  @rollup/plugin-node-resolve (browser) + @rollup/plugin-terser (\`ecma 2020, module, compress.passes 2, no comments\`), ES module
  output; gzip is \`zlib.gzipSync(buf, { level: 9 })\`. "Silent-renew page payload" is what the hidden iframe loads: the shipped
  HTML page vs a bundle of the silent-callback page alone. "Of it, the oauth4webapi functions" bundles only the oauth4webapi
  exports that \`src/\` imports, with the script-tag build's own terser settings: the part of that build connect-pkce's
  code cannot shrink (\`test/unit/support/bundle-size.ts\`; \`npx tsx bench/size-floor.ts\` adds the protocol steps alone).
- **2. Silent renew:** \`performance.now()\` in the page around \`auth.renew()\` / \`userManager.signinSilent()\`, automatic renewal
  off, one tab per library, ${r.single.renew.ours.length} runs each after 2 warm-up runs, alternating ABBA, ${r.settleMs} ms pause after each. The
  3-tab row is connect-pkce renewing in one of three open tabs (Web Lock + \`ask()\` of the two others on the path).
- **2b. No DevTools:** the same renews (\`bench/pages/plain-*.html\`, ${r.plainRounds} page loads alternating ABBA, one warm-up renew
  each) in the same Chromium binary, switches and a profile holding a provider session, started directly instead of through
  Playwright, reporting through the request path. Playwright instruments every document and request; real users' browsers
  do not, so this is the closer number to what users see. The goals are judged on item 2, as specified.
- **2f. Firefox ESR:** the pages and rounds of 2b (${r.firefoxRounds} page loads alternating ABBA, one warm-up renew each,
  \`performance.now()\` in the page, reported through the request path) in ${b.firefox}, launched by the e2e suite's
  driver (\`test/e2e/support/engines/firefox.ts\`: a fresh profile with Firefox's default Total Cookie Protection,
  \`network.dns.localDomains\` for app.test and idp.test), against the same provider and app server as 2b. The
  driver logs in once through the provider's form (the top-level round trip that gives the renewal iframe storage access
  under Total Cookie Protection), then only loads the first page; the timing is the page's own clock, as in 2b (no
  Playwright request log here, so no split into phases). Outside cross-origin-isolated pages Firefox's \`performance.now()\`
  moves in 1 ms steps (\`privacy.reduceTimerPrecision\`, left at its default), so these figures have 1 ms resolution.
- **3. Tabs:** ${r.tabsTtl} s access tokens; connect-pkce \`renewBeforeExpiry: ${r.tabsLead}\`, oidc-client-ts
  \`accessTokenExpiringNotificationTimeInSeconds: ${r.tabsLead}\` (v3's name for \`accessTokenExpiringNotificationTime\`), both
  \`automaticSilentRenew\` (oidc-client-ts checks expiry on a timer of at most 5 s, so each of its tabs renews on its own
  5-s grid, up to 4 s late). One tab logs in; the others open the app page, where connect-pkce takes the session from the other
  tabs and oidc-client-ts (sessionStorage is per tab) signs in silently. Counted: \`prompt=none\` authorization requests
  in the provider's log for that library's silent redirect URI, from when all tabs were ready until every tab announced a new
  token, plus ${TAIL_NOTE}.
- **4. Reload:** \`page.reload()\` of a tab holding a session (${r.single.reload.ours.length} each, alternating);
  ms = \`performance.now()\` when \`getAccessToken()\` / \`getUser()\` resolved (i.e. since navigation start). Requests are those
  Playwright saw from the reload until then; "reaching a server" excludes the ones answered from the browser cache.
- **5. Callback:** each login is replayed: the provider redirects back (existing provider session), the page holds the
  callback, and the same callback URL is then loaded as a fresh navigation; ms = \`performance.now()\` when
  \`handleRedirectCallback()\` / \`signinRedirectCallback()\` (+ \`history.replaceState\`, which connect-pkce does itself) resolved.
- The machine is shared and small: absolute numbers move with its load (see the load average); the ratios compare runs
  that alternated within the same minute.${e.loadAvg[0] > e.cores || e.loadAvg[1] > e.cores ? `\n- **Warning:** the load average exceeded the core count (${e.cores}) during this run: other processes competed for the CPU, so the absolute times are inflated and noisier than on an idle machine.` : ''}
`;
}

const TAIL_NOTE = '1.5 s after that (a duplicate renewal would land there)';

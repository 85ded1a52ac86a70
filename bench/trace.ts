// Diagnostics (not part of `npm run bench`): records a Chromium trace of a few silent renews per library and sums, per
// renew, the main-thread time of the app page's renderer and of the browser process by kind of work. Tracing slows
// everything down, so read the shares, not the absolute numbers. The raw traces land in bench/.build/trace-<lib>.json
// (open them in https://ui.perfetto.dev). Usage: npx tsx bench/trace.ts [renews per library]
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILD_DIR, type Lib, snapshotDist, startBenchWorld } from './setup.js';
import { median, sleep } from './stats.js';

const RENEWS = Number(process.argv[2] ?? 8);

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { message?: string } };
}

/** What to sum: [label, thread ('app' = the app page's renderer main thread, 'browser'), event names]. */
const KINDS: [string, 'app' | 'browser', string[]][] = [
  ['app renderer: main thread busy', 'app', ['ThreadControllerImpl::RunTask']],
  ['  creating the iframe element', 'app', ['RenderFrameImpl::createChildFrame']],
  ['  committing documents in the iframe', 'app', ['RenderFrameImpl::CommitNavigation']],
  ['    of which creating V8 contexts', 'app', ['LocalWindowProxy::Initialize']],
  ['  running scripts (silent page, library)', 'app', ['EvaluateScript', 'v8.compile', 'v8.produceCache', 'v8.compileModule']],
  ['  style, layout, paint', 'app', ['WebFrameWidgetImpl::UpdateLifecycle', 'WebFrameWidgetImpl::BeginMainFrame']],
  ['  handling the silent page message (SDK)', 'app', ['HandlePostMessage']],
  ['  removing the iframe', 'app', ['Frame::Detach']],
  ['  all JS callbacks', 'app', ['v8.callFunction']],
  ['browser process: main thread busy', 'browser', ['ThreadControllerImpl::RunTask']],
  ['  speculative frame/process for the provider', 'browser', ['RenderFrameHostManager::CreateSpeculativeRenderFrameHost', 'RenderProcessHostImpl::Init']],
  ['  discarding it on the redirect back', 'browser', ['RenderFrameHostManager::DiscardSpeculativeRFH']],
  ['  navigation requests (begin, redirect, commit)', 'browser', ['NavigationRequest::BeginNavigation', 'NavigationRequest::OnRequestRedirected', 'NavigationRequest::OnResponseStarted', 'NavigationRequest::CommitNavigation', 'NavigationRequest::DidCommitNavigation']],
];

/** Length of the union of [start, end) intervals, clipped to [from, to]. */
function covered(intervals: [number, number][], from: number, to: number): number {
  const xs = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of xs) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

async function traceLib(lib: Lib) {
  const w = await startBenchWorld({ accessTokenTtl: 3600, renewLead: 60, automaticSilentRenew: false });
  try {
    const page = await w.open(lib);
    await w.login(lib, page);
    await w.setAutomaticRenew(false);
    await w.open(lib, page);
    for (let i = 0; i < 2; i++) await page.evaluate(() => window.bench.renew());
    const cdp = await w.browser.context.newCDPSession(page);
    const events: TraceEvent[] = [];
    cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
    const complete = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', {
      transferMode: 'ReportEvents',
      traceConfig: {
        includedCategories: ['__metadata', 'toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute', 'blink', 'loading', 'navigation', 'content', 'browser'],
      },
    });
    const totals: number[] = [];
    for (let i = 0; i < RENEWS; i++) {
      const r = await page.evaluate(async () => {
        console.timeStamp('bench:renew-start');
        const x = await window.bench.renew();
        console.timeStamp('bench:renew-end');
        return x;
      });
      totals.push(r.ms);
      await sleep(150);
    }
    await cdp.send('Tracing.end');
    await complete;
    await writeFile(join(BUILD_DIR, `trace-${lib}.json`), JSON.stringify(events));

    const threads = new Map<string, string>();
    const processes = new Map<number, string>();
    for (const e of events) {
      if (e.ph !== 'M') continue;
      if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
      if (e.name === 'process_name') processes.set(e.pid, e.args?.name ?? '');
    }
    const stamps = events.filter((e) => e.name === 'TimeStamp' && e.args?.data?.message?.startsWith('bench:renew-'));
    const starts = stamps.filter((e) => e.args?.data?.message === 'bench:renew-start');
    const ends = stamps.filter((e) => e.args?.data?.message === 'bench:renew-end');
    const appPid = starts[0]?.pid;
    const isThread = (e: TraceEvent, where: 'app' | 'browser') =>
      where === 'app'
        ? e.pid === appPid && threads.get(`${e.pid}:${e.tid}`) === 'CrRendererMain'
        : processes.get(e.pid) === 'Browser' && threads.get(`${e.pid}:${e.tid}`) === 'CrBrowserMain';
    const rows = KINDS.map(([label, where, names]) => {
      const iv = events
        .filter((e) => e.ph === 'X' && e.dur !== undefined && names.includes(e.name) && isThread(e, where))
        .map((e) => [e.ts, e.ts + (e.dur ?? 0)] as [number, number]);
      const per = starts.map((s, i) => covered(iv, s.ts, ends[i]?.ts ?? s.ts) / 1000);
      return [label, median(per)] as const;
    });
    const traced = starts.map((s, i) => ((ends[i]?.ts ?? s.ts) - s.ts) / 1000);
    return { lib, rows, traced: median(traced), n: starts.length };
  } finally {
    await w.close();
  }
}

await snapshotDist();
const a = await traceLib('ours');
const b = await traceLib('theirs');
console.log(`median ms per renew over ${a.n} / ${b.n} traced renews (tracing on: everything is slower)`);
console.log(`${'renew, total (traced)'.padEnd(48)} ${a.traced.toFixed(1).padStart(8)} ${b.traced.toFixed(1).padStart(8)}`);
console.log(`${''.padEnd(48)} ${'ours'.padStart(8)} ${'theirs'.padStart(8)}`);
for (const [i, [label, v]] of a.rows.entries()) console.log(`${label.padEnd(48)} ${v.toFixed(1).padStart(8)} ${b.rows[i]![1].toFixed(1).padStart(8)}`);

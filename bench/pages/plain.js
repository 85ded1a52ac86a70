// Items 2b (bench/no-devtools.ts, also bench/diagnose.ts) and 2f (bench/firefox.ts): silent renews the page times
// itself, in a browser the runner does not drive while they run. The page signs in silently (ssoOnLoad), renews,
// reports to the app server through the request path, and hands over to the other library's page for the next round.
(async () => {
  const q = new URLSearchParams(location.search);
  const lib = location.pathname.includes('ours') ? 'ours' : 'theirs';
  const round = Number(q.get('round'));
  const rounds = Number(q.get('rounds'));
  const n = Number(q.get('n'));
  while (document.body.dataset.ready !== '1') await new Promise((r) => setTimeout(r, 10));
  const out = [];
  const r1 = (x) => Math.round(x * 10) / 10;
  for (let i = -1; i < n; i++) {
    performance.clearResourceTimings();
    const r = await bench.renew();
    await new Promise((res) => setTimeout(res, 100));
    if (i < 0) continue;
    const msg = bench.marks.find((m) => m.name === 'message' && m.epoch >= r.start && m.epoch <= r.end);
    const tok = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/token'));
    const rel = (t) => (t === undefined ? -1 : r1(performance.timeOrigin + t - r.start));
    out.push([r1(r.ms), msg ? r1(msg.epoch - r.start) : -1, rel(tok?.startTime), rel(tok?.responseEnd)]);
  }
  await fetch(`/report/${lib}/${round}/${JSON.stringify(out)}`).catch(() => {});
  if (round + 1 < rounds) {
    // ABBA across rounds: ours, theirs, theirs, ours, ours, theirs, …
    const next = [0, 1, 1, 0][(round + 1) % 4] ? 'theirs' : 'ours';
    location.assign(`/bench/plain-${next}.html?round=${round + 1}&rounds=${rounds}&n=${n}`);
  }
})();

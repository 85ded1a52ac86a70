// Loaded first by both benchmark app pages, before either library: timestamps what the libraries do to the page,
// so the runner can split a silent renew into phases. Costs the same on both sides (one observer, one listener).
window.bench = {
  marks: [],
  /** A timestamp in this page's clock (performance.now(), ms since navigation start) plus the wall clock. */
  mark(name, data) {
    const at = performance.now();
    this.marks.push({ name, at, epoch: performance.timeOrigin + at, ...data });
    return at;
  },
  tokens: [],
};
// Registered before the libraries' own listeners, so it runs first: the moment the silent page's message arrives.
addEventListener('message', (e) => bench.mark('message', { origin: e.origin }));
new MutationObserver((records) => {
  for (const r of records)
    for (const n of r.addedNodes)
      if (n.nodeName === 'IFRAME') {
        bench.mark('iframe-added');
        n.addEventListener('load', () => bench.mark('iframe-load'));
      }
}).observe(document.documentElement, { childList: true, subtree: true });

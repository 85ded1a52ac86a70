// The benchmark app for connect-pkce: what a typical SPA does on load, with timestamps for the runner.
(async () => {
  const auth = ConnectPkce.createAuthClient(window.E2E_CONFIG.ours);
  window.auth = auth;
  auth.on('token', (s) => bench.tokens.push(s.accessToken));
  bench.login = () => auth.login();
  bench.renew = async () => {
    const t0 = performance.now();
    const s = await auth.renew();
    const t1 = performance.now();
    return { ms: t1 - t0, start: performance.timeOrigin + t0, end: performance.timeOrigin + t1, token: s.accessToken };
  };
  bench.token = async () => (await auth.getSession())?.accessToken ?? null;
  try {
    if (auth.isCallback()) {
      // The runner holds a callback to replay it as a fresh navigation (see bench/browser-runs.ts).
      if (sessionStorage.getItem('bench.hold')) {
        bench.held = location.href;
      } else {
        bench.accessToken = (await auth.handleRedirectCallback()).session.accessToken;
        bench.sessionAt = bench.mark('session');
      }
    } else if (await auth.isAuthenticated()) {
      bench.accessToken = await auth.getAccessToken();
      bench.tokenAt = bench.mark('token');
    } else if (window.E2E_CONFIG.ssoOnLoad) {
      // A new tab without a session: the SDK asks the other tabs first, then renews silently.
      bench.accessToken = await auth.getAccessToken();
      bench.tokenAt = bench.mark('token');
    }
  } catch (e) {
    bench.error = String(e?.code ?? e);
  }
  document.body.dataset.ready = '1';
})();

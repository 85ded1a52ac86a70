// The benchmark app for oidc-client-ts: the same steps as ours.js through UserManager.
(async () => {
  const um = new oidc.UserManager({
    ...window.E2E_CONFIG.theirs,
    userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
  });
  window.um = um;
  um.events.addUserLoaded((u) => bench.tokens.push(u.access_token));
  bench.login = () => um.signinRedirect();
  bench.renew = async () => {
    const t0 = performance.now();
    const u = await um.signinSilent();
    const t1 = performance.now();
    return { ms: t1 - t0, start: performance.timeOrigin + t0, end: performance.timeOrigin + t1, token: u.access_token };
  };
  bench.token = async () => (await um.getUser())?.access_token ?? null;
  try {
    const q = new URLSearchParams(location.search);
    if (q.has('state') && (q.has('code') || q.has('error'))) {
      if (sessionStorage.getItem('bench.hold')) {
        bench.held = location.href;
      } else {
        bench.accessToken = (await um.signinRedirectCallback()).access_token;
        // What an app does next (connect-pkce does it inside handleRedirectCallback): clean the address bar.
        history.replaceState(history.state, '', location.pathname);
        bench.sessionAt = bench.mark('session');
      }
    } else {
      const user = await um.getUser();
      if (user && !user.expired) {
        bench.accessToken = user.access_token;
        bench.tokenAt = bench.mark('token');
      } else if (window.E2E_CONFIG.ssoOnLoad) {
        // A new tab without a session (sessionStorage is per tab): sign in silently at the provider.
        bench.accessToken = (await um.signinSilent()).access_token;
        bench.tokenAt = bench.mark('token');
      }
    }
  } catch (e) {
    bench.error = String(e?.error ?? e?.message ?? e);
  }
  document.body.dataset.ready = '1';
})();

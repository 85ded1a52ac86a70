// Shared by app.html (ES module build) and app-iife.html (script-tag build): creates the client from the
// test's config, records every event, and completes a callback when the page is one. Tests drive `window.auth`.
window.boot = async (sdk) => {
  const cfg = window.E2E_CONFIG;
  const query = new URLSearchParams(location.search);
  const { e2eRouter, e2eDpop, ...options } = cfg.client;
  if (query.get('storage')) options.storage = query.get('storage');
  // The address as the page was loaded: a router app's router may rewrite it right after the client is created.
  const loadedAt = location.href;
  window.events = [];
  window.sdk = sdk;
  // The optional entry points (session-monitor, idle), as an app would load them beside the main build: the ES
  // module, or with the script-tag build the add-on's own script, which adds its function to the ConnectPkce global.
  window.importAddOn =
    sdk === window.ConnectPkce
      ? (name) =>
          new Promise((resolve, reject) => {
            const script = document.createElement('script');
            script.src = `/dist/${name}.iife.min.js`;
            script.onload = () => resolve(window.ConnectPkce);
            script.onerror = () => reject(new Error(`${script.src} did not load`));
            document.head.append(script);
          })
      : (name) => import(`/dist/${name}.mjs`);
  // Loaded before the client is made, so they start right after it, as with an app that imports them statically.
  const startAddOns = await addOns(cfg);
  // DPoP (connect-pkce/dpop): `e2eDpop` gives dpop()'s options.
  if (e2eDpop) options.dpop = (await window.importAddOn('dpop')).dpop(e2eDpop);
  const auth = sdk.createAuthClient(options);
  window.auth = auth;
  startAddOns(auth);
  // A router app (Angular, React Router, Vue Router) rewrites the URL to its route as it starts, on every page load,
  // the SDK's hidden iframe included; the app handles a callback from the address it was loaded with.
  if (e2eRouter) history.replaceState(null, '', location.pathname);
  for (const type of ['token', 'logout', 'expiring', 'expired', 'renewError'])
    auth.on(type, (v) => window.events.push({ type, at: Date.now(), code: v?.code, token: v?.accessToken }));
  // What the SDK tells about renewing in this browser, apart from the session's own events above.
  window.notices = [];
  auth.on('interactionRequired', (v) => window.notices.push({ type: 'interactionRequired', code: v.error.code, timeLeft: v.timeLeft }));
  auth.on('silentRenewal', (v) => window.notices.push({ type: 'silentRenewal', value: v }));
  // The "Continue session" button an app shows on interactionRequired: a click renews in a popup.
  const button = document.createElement('button');
  button.id = 'continue';
  button.textContent = 'Continue session';
  button.onclick = () => {
    window.popupResult = sdk.renewWithPopup(auth).then(
      () => 'renewed',
      (e) => e.code,
    );
  };
  document.body.append(button);
  try {
    // Tests that tamper with a callback set e2e.hold and hand the altered URL to handleRedirectCallback.
    if (auth.isCallback(loadedAt) && !sessionStorage.getItem('e2e.hold'))
      window.callbackResult = await auth.handleRedirectCallback(loadedAt);
  } catch (e) {
    window.callbackError = { code: e.code, message: e.message };
  }
  document.body.dataset.ready = '1';
};

/**
 * Loads the add-ons the config asks for (`idle`, `monitor`: their options) and returns what starts them, the way an
 * app's start-up code starts them: in every page the app boots in, so also in the SDK's hidden iframe or popup when
 * the silent redirect URI is the app's own page. What they tell the app lands in `window.countdown` and `window.ended`.
 */
async function addOns(cfg) {
  const idle = cfg.idle && (await window.importAddOn('idle'));
  const monitor = cfg.monitor && (await window.importAddOn('session-monitor'));
  return (auth) => {
    if (idle) {
      window.countdown = [];
      window.idle = idle.signOutWhenIdle(auth, {
        ...cfg.idle,
        onCountdown: (left) => window.countdown.push(left),
        onActive: () => window.countdown.push('active'),
      });
    }
    if (monitor) {
      window.ended = [];
      window.monitor = monitor.monitorSession(auth, { ...cfg.monitor, onSessionEnd: (e) => window.ended.push(e.code) });
    }
  };
}

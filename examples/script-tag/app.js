// The script-tag example: the same app as ../spa in plain script, with the IIFE build's global `ConnectPkce`.
// No inline code and no innerHTML, so it runs under a strict CSP with Trusted Types.
(async () => {
  const { connect, demo } = window.exampleConfig;
  const useConnect = Boolean(connect.region && connect.tenantId && connect.clientId);
  const here = new URL('./', location.href).href;
  // This page handles the login response; the SDK's silent-renew.html is served at the site root.
  const uris = { redirectUri: here, postLogoutRedirectUri: here, silentRedirectUri: new URL('/silent-renew.html', here).href };
  const auth = useConnect
    ? ConnectPkce.createConnectClient({ ...connect, ...uris })
    : ConnectPkce.createAuthClient({ ...demo, scope: 'openid profile ocsapi', ...uris });
  const where = useConnect ? { region: connect.region } : { host: location.origin };
  const apiUrl = ConnectPkce.connectApiUrl({ ...where, tenantId: (useConnect ? connect : demo).tenantId }, 'Namespaces');
  // fetch with the bearer token, for the API's origin only (CONNECT clients: auth.fetch)
  const api = ConnectPkce.createAuthorizedFetch(auth, { origins: [new URL(apiUrl).origin] });

  const $ = (id) => document.getElementById(id);
  const el = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });
  const left = (s) => Math.round((s.expiresAt - Date.now()) / 1000);
  $('provider').textContent = useConnect ? `AVEVA CONNECT (${connect.region})` : `the demo provider ${demo.authority}`;

  let session = null;
  const render = (s) => {
    session = s;
    document.body.dataset.state = s ? 'signed-in' : 'signed-out';
    $('user').textContent = s ? `Signed in as ${s.claims?.name ?? s.claims?.sub}` : 'Signed out';
    $('claims').replaceChildren(...Object.entries(s?.claims ?? {}).flatMap(([k, v]) => [el('dt', k), el('dd', typeof v === 'string' ? v : JSON.stringify(v))]));
  };
  setInterval(() => {
    $('expiry').textContent = !session ? '' : left(session) > 0 ? `· token expires in ${left(session)} s` : '· token expired';
  }, 250);

  const log = (type, text) => {
    const item = el('li', `${new Date().toLocaleTimeString()} ${type} ${text}`);
    item.dataset.event = type;
    $('events').prepend(item);
  };
  auth.on('token', (s) => {
    log('token', `…${s.accessToken.slice(-6)}, valid ${left(s)} s`);
    render(s);
  });
  auth.on('expiring', (s) => log('expiring', `in ${left(s)} s`));
  auth.on('expired', () => log('expired', ''));
  auth.on('renewError', (e) => log('renewError', `${e.code}: ${e.message}`));
  auth.on('logout', () => {
    log('logout', '');
    render(null);
  });

  const failed = (e) => log('error', `${e.code ?? e.name}: ${e.message}`);
  $('login').addEventListener('click', () => auth.login().catch(failed));
  $('logout').addEventListener('click', () => auth.logout().catch(failed));
  $('renew').addEventListener('click', () => auth.renew().catch(() => {})); // reported as renewError
  $('call-api').addEventListener('click', async () => {
    delete $('api').dataset.status;
    $('namespaces').replaceChildren();
    try {
      const res = await api(apiUrl); // bearer token added; one renew + retry on a 401
      $('api').textContent = `GET ${apiUrl} → ${res.status}`;
      if (res.ok) $('namespaces').replaceChildren(...(await res.json()).map((ns) => el('li', ns.Id)));
      $('api').dataset.status = String(res.status);
    } catch (e) {
      $('api').textContent = `GET ${apiUrl} failed: ${e.message}`;
      $('api').dataset.status = 'error';
    }
  });

  const callback = auth.isCallback();
  if (callback) await auth.handleRedirectCallback().catch(failed);
  render(await auth.getSession());
  if (!callback && session) $('events').prepend(el('li', 'session restored (this tab, or another open tab)'));
  document.body.dataset.ready = '1';
})();

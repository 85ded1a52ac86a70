// An ES-module app: signs in with connect-pkce, shows the user, the token's countdown and every SDK event, and calls
// an API. Written for a strict CSP (no inline code) and Trusted Types: text goes in with textContent only.
import {
  connectApiUrl,
  createAuthClient,
  createAuthorizedFetch,
  createConnectClient,
  loginWithPopup,
  renewWithPopup,
} from 'connect-pkce';
// Opt-in add-ons, each its own entry point: apps that do not import them ship none of their bytes.
import { signOutWhenIdle } from 'connect-pkce/idle';
import { monitorSession } from 'connect-pkce/session-monitor';
import { connect, demo, idle as idleSettings } from './config.js';

const useConnect = Boolean(connect.region && connect.tenantId && connect.clientId);
const here = new URL('./', location.href).href;

// Each of these must be registered with the client exactly.
const uris = {
  redirectUri: here, // this page also handles the login response
  postLogoutRedirectUri: here,
  // The SDK's dist/silent-renew.html, served at the site root: the hidden renew iframe lands there.
  silentRedirectUri: new URL('/silent-renew.html', location.href).href,
};

// CONNECT: the region's authority, scope `openid ocsapi` and the tenant come with createConnectClient.
const auth = useConnect
  ? createConnectClient({ region: connect.region, tenantId: connect.tenantId, clientId: connect.clientId, ...uris })
  : createAuthClient({
      authority: demo.authority,
      clientId: demo.clientId,
      tenantId: demo.tenantId,
      scope: 'openid profile ocsapi',
      renewBeforeExpiry: demo.renewBeforeExpiry,
      ...uris,
    });
// The same URL shape on both: CONNECT's region host, or the demo server (this page's origin).
const tenantId = useConnect ? connect.tenantId : demo.tenantId;
const apiUrl = connectApiUrl({ ...(useConnect ? { region: connect.region } : { host: location.origin }), tenantId }, 'Namespaces');
// fetch with the bearer token, sent to the API's origin only: a separate export, so apps that never call an API do
// not ship it. (CONNECT clients also have it as auth.fetch.)
const api = createAuthorizedFetch(auth, { origins: [new URL(apiUrl).origin] });

const $ = (id) => document.getElementById(id);
const el = (tag, text, attrs = {}) => Object.assign(document.createElement(tag), { textContent: text }, attrs);
const clock = (ms) => new Date(ms).toLocaleTimeString();
const secondsLeft = (s) => Math.round((s.expiresAt - Date.now()) / 1000);

$('provider').textContent = useConnect
  ? `AVEVA CONNECT (${connect.region}, tenant ${connect.tenantId})`
  : `the demo provider ${demo.authority} (tenant ${demo.tenantId})`;

/** Appends a line to the event list (newest on top); `data-event` names it for the automated check. */
function log(type, text) {
  const item = el('li', '', { className: type });
  item.dataset.event = type;
  item.append(el('time', clock(Date.now())), ' ', el('b', type), ' ', text);
  $('events').prepend(item);
}

let session = null;

function render(s) {
  session = s;
  document.body.dataset.state = s ? 'signed-in' : 'signed-out';
  $('user').textContent = s ? `Signed in as ${s.claims?.name ?? s.claims?.sub ?? 'someone'}` : 'Signed out';
  const claims = Object.entries(s?.claims ?? {}).flatMap(([name, value]) => [el('dt', name), el('dd', claimText(name, value))]);
  $('claims').replaceChildren(...claims);
  tick();
}

/** A claim for reading: the time claims also in local time. */
function claimText(name, value) {
  if (['exp', 'iat', 'auth_time', 'nbf'].includes(name) && typeof value === 'number') return `${value} (${clock(value * 1000)})`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The live countdown to the access token's expiry. */
function tick() {
  const left = session && secondsLeft(session);
  $('expiry').textContent =
    session === null ? '' : left > 0 ? `Access token expires in ${left} s (at ${clock(session.expiresAt)}).` : 'Access token expired.';
  $('monitor').textContent = monitorText[monitor.state];
  document.body.dataset.monitor = monitor.state;
}
setInterval(tick, 250);

// Every SDK event, as it happens.
auth.on('token', (s) => {
  log('token', `new access token …${s.accessToken.slice(-6)}, valid ${secondsLeft(s)} s`);
  render(s);
});
auth.on('expiring', (s) => log('expiring', `access token expires in ${secondsLeft(s)} s: renewing in the background`));
auth.on('expired', () => log('expired', 'the access token ran out'));
auth.on('renewError', (e) => log('renewError', `${e.code}: ${e.message}`));
// Whether the hidden iframe can renew here: learnt right after a login (one prompt=none request).
const silentText = {
  refresh_token: 'with the refresh token',
  iframe: 'in the hidden iframe',
  unavailable: 'not possible (this browser keeps the provider’s cookies from the iframe): “Continue session” will ask you',
  unknown: 'not known yet',
};
const showSilent = (v) => {
  $('silent-renewal').textContent = silentText[v];
  document.body.dataset.silentRenewal = v;
};
showSilent(auth.silentRenewal);
auth.on('silentRenewal', (v) => {
  log('silentRenewal', silentText[v]);
  showSilent(v);
});
// No silent way to renew: offer a click while the token still works. The popup keeps this page and its state.
auth.on('interactionRequired', ({ error, timeLeft }) => {
  log('interactionRequired', `${error.code}: ${Math.round(timeLeft / 1000)} s left to continue the session`);
  $('continue').hidden = false;
});
$('continue').addEventListener('click', () =>
  renewWithPopup(auth).then(() => {
    $('continue').hidden = true;
  }, failed('continue session')),
);
$('login-popup').addEventListener('click', () => loginWithPopup(auth).catch(failed('popup login')));

// A logout at the provider (another tab, the CONNECT portal, another app of the tenant) noticed within seconds: one
// tab asks the provider's check_session_iframe every 2 s; the session is then cleared in every tab.
const monitor = monitorSession(auth, {
  onSessionEnd: ({ code }) => log('sessionEnd', `signed out at the provider (${code}): session cleared in every tab`),
});
const monitorText = {
  checking: 'this tab asks the provider every 2 s whether you are still signed in there',
  standby: 'another tab of this app asks the provider',
  waiting: 'waits for a session (and for the hidden iframe to be known to work)',
  off: 'off (the provider has no check_session_iframe, or this browser keeps its cookies from iframes)',
};
// The demo provider's logout page: signs the browser out there, as a logout in the CONNECT portal would.
if (!useConnect) {
  $('provider-logout').hidden = false;
  $('provider-logout').addEventListener('click', () => window.open(demo.providerLogout, '_blank', 'noopener'));
}

// Idle sign-out: no activity in any tab for `after` seconds signs out every tab, after a countdown in each.
$('idle').textContent = `after ${idleSettings.after} s without activity in every tab, with a ${idleSettings.countdown} s countdown`;
const idle = signOutWhenIdle(auth, {
  ...idleSettings,
  onCountdown: (left) => {
    $('idle-countdown').textContent = `No activity: signing out in ${left} s.`;
    if ($('idle-warning').hidden) log('idle', `no activity for ${idleSettings.after - left} s: countdown`);
    $('idle-warning').hidden = false;
  },
  onActive: () => {
    $('idle-warning').hidden = true;
    log('idle', 'activity: countdown stopped');
  },
});
$('stay').addEventListener('click', () => idle.reset());
auth.on('logout', () => {
  log('logout', 'session cleared');
  $('idle-warning').hidden = true;
  render(null);
});

async function callApi() {
  const out = $('api');
  delete out.dataset.status;
  out.textContent = `GET ${apiUrl} …`;
  $('namespaces').replaceChildren();
  try {
    // Adds the bearer token (renewing first if it is about to expire); on a 401 it renews once and retries.
    const res = await api(apiUrl);
    out.textContent = `GET ${apiUrl} → ${res.status} ${res.statusText}`;
    if (res.ok) {
      const namespaces = await res.json();
      $('namespaces').replaceChildren(...namespaces.map((ns) => el('li', `${ns.Id}: ${ns.Description ?? ''}`)));
    }
    out.dataset.status = String(res.status);
  } catch (e) {
    out.textContent = `GET ${apiUrl} failed: ${e.code ?? e.name}: ${e.message}`;
    out.dataset.status = 'error';
  }
}

const failed = (what) => (e) => log('error', `${what} failed: ${e.code ?? e.name}: ${e.message}`);
$('login').addEventListener('click', () => auth.login().catch(failed('login')));
$('logout').addEventListener('click', () => auth.logout().catch(failed('logout')));
// A failed renewal is reported by the renewError event already.
$('renew').addEventListener('click', () => auth.renew().catch(() => {}));
$('call-api').addEventListener('click', callApi);

// Back from the provider? Finish the login (this also cleans the address bar).
const callback = auth.isCallback();
if (callback) await auth.handleRedirectCallback().catch(failed('login'));
render(await auth.getSession());
// A session found at start-up (this tab's storage, or handed over by another open tab) raises no event.
if (!callback && session) $('events').prepend(el('li', `${clock(Date.now())} session restored`, { className: 'note' }));
document.body.dataset.ready = '1';

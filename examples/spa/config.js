// Where this example signs in, and the React and Vue examples (examples/vite/) too: they read this file at start-up.
//
// AVEVA CONNECT: fill in all three settings to sign in to your tenant. The client must be an "Authorization Code"
// client whose redirect URIs include this page (http://localhost:3000/examples/spa/; for the React and Vue examples
// http://localhost:3000/examples/react/ and http://localhost:3000/examples/vue/) and the silent page
// (http://localhost:3000/silent-renew.html), and whose post-logout redirect URIs include the same pages.
export const connect = {
  region: '', // 'uswe', 'euno', 'auea' or 'jpea'
  tenantId: '', // your tenant's ID (a GUID)
  clientId: '', // the client's ID
};

// While the settings above are empty: the local provider that `npm run demo` starts (its tokens last 30 s).
export const demo = {
  authority: 'http://localhost:4000',
  clientId: 'connect-pkce-demo',
  tenantId: 'demo-tenant',
  renewBeforeExpiry: 10,
  // Its own logout page, as a logout in the CONNECT portal: the session monitor below notices it.
  providerLogout: 'http://localhost:4000/session/end',
};

// Idle sign-out (connect-pkce/idle): this many seconds without activity in every tab of the app sign the user out,
// after a countdown of the last `countdown` seconds. Short here so the demo shows it; 15 to 30 minutes is usual.
export const idle = { after: 120, countdown: 20 };

// A typical SPA's use of connect-pkce (bundle-size entry; never run). The silent renew page is the shipped
// dist/silent-renew.html, which loads no script of the app.
import { createAuthClient } from 'connect-pkce';

const auth = createAuthClient({
  authority: 'https://idp.example.com',
  clientId: 'spa',
  redirectUri: `${location.origin}/`,
  silentRedirectUri: `${location.origin}/silent-renew.html`,
  scope: 'openid profile',
});

auth.on('token', (s) => dispatchEvent(new CustomEvent('access-token', { detail: s.accessToken })));

export async function start() {
  if (auth.isCallback()) await auth.handleRedirectCallback();
  try {
    return await auth.getAccessToken();
  } catch {
    return auth.login();
  }
}

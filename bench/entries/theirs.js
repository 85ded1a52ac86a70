// The same SPA with oidc-client-ts (bundle-size entry; never run). The silent renew page is a route of the same
// bundle, as oidc-client-ts documents it: a page that calls signinSilentCallback().
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

const um = new UserManager({
  authority: 'https://idp.example.com',
  client_id: 'spa',
  redirect_uri: `${location.origin}/`,
  silent_redirect_uri: `${location.origin}/silent-renew.html`,
  scope: 'openid profile',
  automaticSilentRenew: true,
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
});

um.events.addUserLoaded((u) => dispatchEvent(new CustomEvent('access-token', { detail: u.access_token })));

export async function start() {
  if (location.pathname === '/silent-renew.html') return um.signinSilentCallback();
  if (new URLSearchParams(location.search).has('state')) await um.signinRedirectCallback();
  let user = await um.getUser();
  if (!user || user.expired) user = await um.signinSilent().catch(() => null);
  if (!user) return um.signinRedirect();
  return user.access_token;
}

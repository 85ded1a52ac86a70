// oidc-client-ts's silent renew page on its own (bundle-size entry; never run): what the hidden iframe loads.
import { UserManager } from 'oidc-client-ts';

new UserManager({ authority: 'https://idp.example.com', client_id: 'spa', redirect_uri: `${location.origin}/` })
  .signinSilentCallback();

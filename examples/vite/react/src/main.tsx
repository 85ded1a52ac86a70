// The browser entry: the client first (before the router reads the URL), then the app under StrictMode, the router
// and the AuthProvider, which hands a login's returnTo to the router once the callback is handled.
import { AuthProvider } from 'connect-pkce/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, useNavigate } from 'react-router';
import { apiUrl, createClient, loadConfig, routeOf } from '../../shared/client.js';
import { App } from './App.js';

const base = import.meta.env.BASE_URL;
const config = await loadConfig();
const client = createClient(config, base);

/** The AuthProvider inside the router, so that the callback's returnTo becomes a router navigation (no reload). */
function Root() {
  const navigate = useNavigate();
  return (
    <AuthProvider client={client} onRedirectCallback={(returnTo) => navigate(routeOf(returnTo, base), { replace: true })}>
      <App api={apiUrl(config)} idle={config.idle} />
    </AuthProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter basename={base.replace(/\/$/, '')}>
      <Root />
    </BrowserRouter>
  </StrictMode>,
);

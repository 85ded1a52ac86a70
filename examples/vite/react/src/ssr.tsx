// The same root rendered to a string where there is no browser (test/e2e/react-vue.e2e.ts runs it in Node): the
// client is the SDK's inert server client, and the state is 'loading' until a browser decides.
import { createAuthClient } from 'connect-pkce';
import { AuthProvider } from 'connect-pkce/react';
import { StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { StaticRouter } from 'react-router';
import { App } from './App.js';

export function render(url: string): string {
  const client = createAuthClient({ authority: 'https://idp.invalid', clientId: 'ssr', redirectUri: 'https://app.invalid/' });
  return renderToString(
    <StrictMode>
      <StaticRouter location={url} basename="/examples/react">
        <AuthProvider client={client}>
          <App api="/api" idle={{ after: 120, countdown: 20 }} />
        </AuthProvider>
      </StaticRouter>
    </StrictMode>,
  );
}

// The React example's root: a public page, a guarded one, the sign-in state in the header. Rendered in the browser
// (main.tsx) and on the server (ssr.tsx) alike: nothing here reads `window` while rendering.
import { type AuthClient, renewWithPopup } from 'connect-pkce';
import { RequireAuth, useAuth, useAuthorizedFetch } from 'connect-pkce/react';
import { useIdleSignOut } from 'connect-pkce/react-idle';
import { useState } from 'react';
import { Link, Route, Routes } from 'react-router';

export interface AppProps {
  /** The protected API's URL. */
  api: string;
  /** Idle sign-out settings (seconds). */
  idle: { after: number; countdown: number };
}

export function App({ api, idle }: AppProps) {
  const { status, user, error, silentRenewal, client, login, logout } = useAuth();
  return (
    <main>
      <header>
        <nav>
          <Link to="/">Home</Link> · <Link to="/protected">Protected page</Link>
        </nav>
        <p id="status" data-status={status}>
          {status === 'signed-in' ? `Signed in as ${user?.name ?? user?.sub}` : status === 'loading' ? 'Loading…' : 'Signed out'}
        </p>
        {status === 'signed-out' && (
          <button type="button" id="login" onClick={() => login()}>
            Sign in
          </button>
        )}
        {status === 'signed-in' && (
          <button type="button" id="logout" onClick={() => logout()}>
            Sign out
          </button>
        )}
        {error && <p id="error">{error.code}</p>}
        {silentRenewal === 'unavailable' && error?.code === 'login_required' && <ContinueSession client={client} />}
      </header>
      {status === 'signed-in' && <IdleWarning {...idle} />}
      <Routes>
        <Route path="/" element={<p>A public page: anyone sees it.</p>} />
        <Route
          path="/protected"
          element={
            <RequireAuth fallback={<p>Checking your session…</p>}>
              <Protected api={api} />
            </RequireAuth>
          }
        />
      </Routes>
    </main>
  );
}

/** Behind RequireAuth: the token's expiry (renewals move it) and a call to the protected API. */
function Protected({ api }: { api: string }) {
  const { session } = useAuth();
  const authorizedFetch = useAuthorizedFetch();
  const [answer, setAnswer] = useState('');
  const call = async () => {
    const res = await authorizedFetch(api);
    setAnswer(`${res.status}: ${res.ok ? (await res.json()).length : 0} namespaces`);
  };
  return (
    <section>
      <h2>Protected page</h2>
      <p id="expires" data-expires-at={session?.expiresAt}>
        Access token valid until {session ? new Date(session.expiresAt).toLocaleTimeString('en-GB') : '–'}
      </p>
      <button type="button" id="call-api" onClick={call}>
        Call the API
      </button>
      <p id="api">{answer}</p>
    </section>
  );
}

/** The idle countdown, with a button that counts as activity in every tab. */
function IdleWarning(props: { after: number; countdown: number }) {
  const { secondsLeft, reset } = useIdleSignOut(props);
  if (secondsLeft === null) return null;
  return (
    <p id="idle">
      Signing out in {secondsLeft} s.{' '}
      <button type="button" onClick={reset}>
        Stay signed in
      </button>
    </p>
  );
}

/** Where this browser keeps the provider's cookies from the hidden iframe: renew in a popup, from a click. */
function ContinueSession({ client }: { client: AuthClient }) {
  return (
    <button type="button" onClick={() => void renewWithPopup(client)}>
      Continue session
    </button>
  );
}

/**
 * The React binding (src/react.ts, src/react-idle.ts) with Testing Library: a real client against the fake provider
 * where the protocol matters (the callback under StrictMode's double mount, the guard's login), the test client
 * (src/testing.ts) where only the state does.
 */
import { act, cleanup, render, renderHook, screen, waitFor } from '@testing-library/react';
import { createElement, type ReactNode, StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AuthClient, AuthError } from '../../src/index.js';
import { AuthProvider, RequireAuth, useAuth, useAuthorizedFetch, withAuthenticationRequired } from '../../src/react.js';
import { useIdleSignOut } from '../../src/react-idle.js';
import { createTestClient } from '../../src/testing.js';
import { callbackPage as callbackPageOf, pendingReturnTos } from './support/bindings.js';
import { setAddress } from './support/browser.js';
import { APP_ORIGIN } from './support/fake-provider.js';
import { useWorld } from './support/world.js';

const w = useWorld();
afterEach(cleanup);

/** Shows the state as text, for `screen` to read: status, user, error code. */
function Status() {
  const { status, user, error } = useAuth();
  return createElement('p', { 'data-testid': 'status' }, [status, user?.sub, error?.code].filter(Boolean).join(' '));
}
const status = () => screen.getByTestId('status').textContent;

/** The app as a customer mounts it: StrictMode, the provider, then `children`. */
const app = (client: AuthClient, children: ReactNode, onRedirectCallback?: (to: string | undefined) => void) =>
  createElement(StrictMode, null, createElement(AuthProvider, { client, onRedirectCallback }, children));

const callbackPage = (returnTo?: string) => callbackPageOf(w, returnTo);

describe('AuthProvider: the redirect callback', () => {
  it('is exchanged once under StrictMode, even when the provider mounts again, and returnTo reaches the router once', async () => {
    const client = await callbackPage();
    const navigate = vi.fn();
    const first = render(app(client, createElement(Status), navigate));
    // Before the exchange the state is loading, not signed out: no guard may start a second login.
    expect(status()).toBe('loading');
    await waitFor(() => expect(status()).toBe('signed-in user-1'));
    expect(navigate).toHaveBeenCalledExactlyOnceWith('/orders?id=7');
    first.unmount();
    render(app(client, createElement(Status), navigate));
    await waitFor(() => expect(status()).toBe('signed-in user-1'));
    expect(w.provider.tokenRequests).toHaveLength(1);
    expect(navigate).toHaveBeenCalledOnce();
    expect(location.search).toBe('');
  });

  it('without onRedirectCallback sets the address bar to returnTo without a reload', async () => {
    const client = await callbackPage('/orders?id=7');
    render(app(client, createElement(Status)));
    await waitFor(() => expect(location.href).toBe(`${APP_ORIGIN}/orders?id=7`));
    expect(w.nav).toHaveBeenCalledOnce(); // the login of callbackPage(), no navigation since
  });

  it('a failed callback leaves the state signed out with its error, and hands nothing to the router', async () => {
    const client = await callbackPage();
    sessionStorage.clear(); // the pending login is gone: state_mismatch
    const navigate = vi.fn();
    render(app(client, createElement(Status), navigate));
    await waitFor(() => expect(status()).toBe('signed-out state_mismatch'));
    expect(navigate).not.toHaveBeenCalled();
    expect(w.provider.tokenRequests).toHaveLength(0);
  });
});

describe('RequireAuth', () => {
  it('signed out: starts one login under StrictMode, coming back to this page, and shows the fallback meanwhile', async () => {
    setAddress(`${APP_ORIGIN}/orders`);
    const client = w.client();
    render(app(client, createElement(RequireAuth, { fallback: 'wait' }, 'secret')));
    await waitFor(() => expect(w.nav).toHaveBeenCalledOnce());
    expect(screen.queryByText('secret')).toBeNull();
    expect(screen.getByText('wait')).toBeTruthy();
    expect(pendingReturnTos()).toEqual(['/orders']);
  });

  it('on the callback page waits for the exchange instead of starting another login, then shows the route', async () => {
    const client = await callbackPage();
    render(app(client, createElement(RequireAuth, { fallback: 'wait' }, 'secret')));
    expect(screen.getByText('wait')).toBeTruthy();
    await screen.findByText('secret');
    expect(w.nav).toHaveBeenCalledOnce(); // the login of callbackPage(), none since
  });

  it('signed out with an error (a failed callback) shows the fallback and starts no login: no loop', async () => {
    const client = createTestClient();
    client.fail(new AuthError('access_denied', 'denied'));
    render(app(client, createElement(RequireAuth, { fallback: 'denied' }, 'secret')));
    expect(screen.getByText('denied')).toBeTruthy();
    await act(() => Promise.resolve());
    expect(client.calls).toEqual([]);
  });

  it('a logout while it shows renders the fallback and starts no login (it would race the logout to the provider)', () => {
    const client = createTestClient({ session: true });
    render(app(client, createElement(RequireAuth, { fallback: 'signed out' }, 'secret')));
    expect(screen.getByText('secret')).toBeTruthy();
    act(() => client.signOut());
    expect(screen.getByText('signed out')).toBeTruthy();
    expect(client.calls).toEqual([]);
  });

  it('withAuthenticationRequired wraps a component, passing its props', () => {
    const Orders = withAuthenticationRequired((p: { id: number }) => `order ${p.id}`, { fallback: 'wait' });
    render(app(createTestClient({ session: true }), createElement(Orders, { id: 7 })));
    expect(screen.getByText('order 7')).toBeTruthy();
  });
});

describe('useAuth', () => {
  it('re-renders on every change of the session: a login, a renewal, a logout', async () => {
    const client = createTestClient();
    const seen: string[] = [];
    function Token() {
      const { session, isAuthenticated, isLoading } = useAuth();
      seen.push(`${isLoading} ${isAuthenticated}`);
      return createElement('p', { 'data-testid': 'status' }, session?.accessToken ?? 'none');
    }
    render(app(client, createElement(Token)));
    expect(status()).toBe('none');
    expect(seen.at(-1)).toBe('false false');
    let first = '';
    act(() => {
      first = client.signIn().accessToken;
    });
    expect(status()).toBe(first);
    let renewed = '';
    await act(async () => {
      renewed = (await client.renew()).accessToken;
    });
    expect(renewed).not.toBe(first);
    expect(status()).toBe(renewed);
    act(() => client.signOut());
    expect(status()).toBe('none');
    expect(seen.at(-1)).toBe('false false');
  });

  it('gives the methods of the client: login() here signs the test client in', async () => {
    const client = createTestClient();
    function Login() {
      const { login, isAuthenticated } = useAuth();
      return createElement('button', { type: 'button', onClick: () => void login({ returnTo: '/x' }) }, String(isAuthenticated));
    }
    render(app(client, createElement(Login)));
    await act(async () => screen.getByRole('button').click());
    expect(screen.getByRole('button').textContent).toBe('true');
    expect(client.calls).toEqual([{ method: 'login', options: { returnTo: '/x' } }]);
  });

  it('throws outside an AuthProvider', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(createElement(Status))).toThrow(expect.objectContaining({ code: 'invalid_config', message: expect.stringMatching(/AuthProvider/) }));
  });

  it('renders loading on the server (renderToString), whatever the client holds: the browser decides', () => {
    const html = renderToString(createElement(AuthProvider, { client: createTestClient({ session: true }) }, createElement(Status)));
    expect(html).toContain('loading');
  });

  it('an AuthProvider given options makes one client however often it renders', async () => {
    const options = { authority: 'https://idp.example', clientId: 'spa-client', redirectUri: `${APP_ORIGIN}/callback`, shareAcrossTabs: false };
    const clients = new Set<AuthClient>();
    function Client() {
      clients.add(useAuth().client);
      return null;
    }
    const view = render(createElement(StrictMode, null, createElement(AuthProvider, { options: { ...options } }, createElement(Client))));
    view.rerender(createElement(StrictMode, null, createElement(AuthProvider, { options: { ...options } }, createElement(Client))));
    expect(clients.size).toBe(1);
    [...clients][0]?.dispose();
  });
});

describe('useAuthorizedFetch', () => {
  it('sends the token to this origin and the origins listed only, the same function across renders', async () => {
    const client = createTestClient({ session: { accessToken: 'tok-1' } });
    const fetchMock = vi.fn(async (_r: Request) => new Response('ok'));
    vi.stubGlobal('fetch', fetchMock);
    const wrapper = ({ children }: { children: ReactNode }) => app(client, children);
    const hook = renderHook(() => useAuthorizedFetch({ origins: ['https://api.example'] }), { wrapper });
    const api = hook.result.current;
    hook.rerender();
    expect(hook.result.current).toBe(api);
    await api('https://api.example/items');
    expect(fetchMock.mock.calls[0]?.[0].headers.get('authorization')).toBe('Bearer tok-1');
    await expect(api('https://elsewhere.example/')).rejects.toMatchObject({ code: 'untrusted_origin' });
    expect(fetchMock).toHaveBeenCalledOnce();
  });
});

describe('useIdleSignOut', () => {
  it('gives the countdown as state, hides it on activity, and signs out when the time is up', async () => {
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    vi.useFakeTimers({ now: Date.now() });
    const wrapper = ({ children }: { children: ReactNode }) => app(client, children);
    const hook = renderHook(() => useIdleSignOut({ after: 10, countdown: 3 }), { wrapper });
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect(hook.result.current.secondsLeft).toBeNull();
    await act(() => vi.advanceTimersByTimeAsync(7_000));
    expect(hook.result.current.secondsLeft).toBe(3);
    act(() => hook.result.current.reset());
    expect(hook.result.current.secondsLeft).toBeNull();
    await act(() => vi.advanceTimersByTimeAsync(9_000));
    expect(hook.result.current.secondsLeft).toBe(1);
    await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(await client.getSession()).toBeNull();
    expect(hook.result.current.secondsLeft).toBeNull();
  });
});

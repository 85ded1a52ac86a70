/**
 * The Vue binding (src/vue.ts) with @vue/test-utils and a real vue-router (memory history): a real client against the
 * fake provider where the protocol matters (the callback, the guard's login), the test client where only state does.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRouter, createWebHistory } from 'vue-router';
import { defineComponent, h } from 'vue';
import { AuthError } from '../../src/index.js';
import { createTestClient } from '../../src/testing.js';
import { authGuard, createAuth, useAuth, type VueAuth } from '../../src/vue.js';
import { callbackPage as callbackPageOf, pendingReturnTos } from './support/bindings.js';
import { setAddress } from './support/browser.js';
import { APP_ORIGIN } from './support/fake-provider.js';
import { useWorld } from './support/world.js';

const w = useWorld();
const made: VueAuth[] = [];
afterEach(() => {
  for (const a of made.splice(0)) a.dispose();
});
const auth = (...args: Parameters<typeof createAuth>) => {
  const a = createAuth(...args);
  made.push(a);
  return a;
};

/** Shows the state as text: status, user, error code. */
const Status = defineComponent({
  setup() {
    const a = useAuth();
    return () => h('p', [a.status.value, a.user.value?.sub, a.error.value?.code].filter(Boolean).join(' '));
  },
});

const callbackPage = (returnTo?: string) => callbackPageOf(w, returnTo);

describe('createAuth: the redirect callback', () => {
  it('is exchanged once however many apps mount it or plugins are made for the client; returnTo reaches the router once', async () => {
    const client = await callbackPage();
    const navigate = vi.fn();
    const first = auth(client, { onRedirectCallback: navigate });
    const view = mount(Status, { global: { plugins: [first] } });
    expect(view.text()).toBe('loading');
    const again = auth(client, { onRedirectCallback: navigate });
    const other = mount(Status, { global: { plugins: [again] } });
    await first.ready;
    await flushPromises();
    expect(view.text()).toBe('signed-in user-1');
    expect(other.text()).toBe('signed-in user-1');
    expect(w.provider.tokenRequests).toHaveLength(1);
    expect(navigate).toHaveBeenCalledExactlyOnceWith('/orders?id=7');
  });

  it('a failed callback: signed out with its error, nothing handed to the router', async () => {
    const client = await callbackPage();
    sessionStorage.clear();
    const navigate = vi.fn();
    const a = auth(client, { onRedirectCallback: navigate });
    await a.ready;
    expect([a.status.value, a.error.value?.code]).toEqual(['signed-out', 'state_mismatch']);
    expect(navigate).not.toHaveBeenCalled();
  });
});

describe('the refs', () => {
  it('follow every change of the session, in components and outside them', async () => {
    const client = createTestClient();
    const a = auth(client);
    const view = mount(Status, { global: { plugins: [a] } });
    expect(view.text()).toBe('signed-out');
    client.signIn({ claims: { iss: 'i', aud: 'a', iat: 0, exp: 1, sub: 'bob' } });
    await flushPromises();
    expect(view.text()).toBe('signed-in bob');
    expect([a.isAuthenticated.value, a.session.value?.tokenType]).toEqual([true, 'Bearer']);
    // Outside a component (a store, a guard): the instance made last.
    expect(useAuth()).toBe(a);
    expect(await useAuth().getAccessToken()).toBe(a.session.value?.accessToken);
    client.fail(new AuthError('login_required', 'x'));
    client.setSilentRenewal('unavailable');
    await flushPromises();
    expect([a.error.value?.code, a.silentRenewal.value]).toEqual(['login_required', 'unavailable']);
    client.signOut();
    await flushPromises();
    expect(view.text()).toBe('signed-out login_required');
    expect(a.session.value).toBeNull();
  });

  it('stop following after dispose()', async () => {
    const client = createTestClient();
    const a = auth(client);
    a.dispose();
    client.signIn();
    expect(a.status.value).toBe('signed-out');
  });
});

describe('authGuard', () => {
  const Page = (name: string) => defineComponent({ render: () => h('p', name) });
  const routerFor = (a: VueAuth) => {
    const router = createRouter({
      history: createWebHistory('/app/'),
      routes: [
        { path: '/', component: Page('home') },
        { path: '/callback', component: Page('callback') },
        { path: '/orders', component: Page('orders'), meta: { requiresAuth: true } },
      ],
    });
    router.beforeEach(authGuard(a, router));
    return router;
  };

  it('signed out: a guarded route starts one login, coming back to the route under the router base', async () => {
    setAddress(`${APP_ORIGIN}/app/`);
    const router = routerFor(auth(w.client()));
    await router.push('/');
    expect(router.currentRoute.value.path).toBe('/');
    await router.push('/orders?id=7');
    expect(router.currentRoute.value.path).toBe('/');
    expect(w.nav).toHaveBeenCalledOnce();
    expect(pendingReturnTos()).toEqual(['/app/orders?id=7']);
  });

  it('on the callback page waits for the exchange, then lets the user through to the guarded route', async () => {
    const client = await callbackPage('/app/orders');
    const a = auth(client, { onRedirectCallback: () => {} });
    const router = routerFor(a);
    // The router navigates before the exchange is done: the guard waits instead of starting a login.
    expect(a.status.value).toBe('loading');
    await router.push('/orders');
    expect(router.currentRoute.value.path).toBe('/orders');
    expect(a.status.value).toBe('signed-in');
    expect(w.nav).toHaveBeenCalledOnce(); // the login of callbackPage(), none since
    expect(w.provider.tokenRequests).toHaveLength(1);
  });

  it('a signed-in user passes, and a route that needs no sign-in passes without waiting', async () => {
    const a = auth(createTestClient({ session: true }));
    const router = routerFor(a);
    await router.push('/orders');
    expect(router.currentRoute.value.path).toBe('/orders');
  });
});

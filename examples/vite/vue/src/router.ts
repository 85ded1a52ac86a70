// The routes, and the router with the guard that waits for start-up and the callback before deciding.
import { authGuard, type VueAuth } from 'connect-pkce/vue';
import { createRouter, type RouterHistory } from 'vue-router';
import HomePage from './pages/HomePage.vue';
import ProtectedPage from './pages/ProtectedPage.vue';

export function createAppRouter(auth: VueAuth, history: RouterHistory) {
  const router = createRouter({
    history,
    routes: [
      { path: '/', component: HomePage },
      { path: '/protected', component: ProtectedPage, meta: { requiresAuth: true } },
    ],
  });
  router.beforeEach(authGuard(auth, router));
  return router;
}

// The browser entry: the client and the plugin first (the callback starts at once), then the router, whose guard waits
// for the callback; the plugin hands a login's returnTo to the router (no reload).
import { signOutWhenIdle } from 'connect-pkce/idle';
import { createAuth } from 'connect-pkce/vue';
import { createApp } from 'vue';
import { createWebHistory } from 'vue-router';
import { apiUrl, createClient, loadConfig, routeOf } from '../../shared/client.js';
import App from './App.vue';
import { createAppRouter } from './router.js';

const base = import.meta.env.BASE_URL;
const config = await loadConfig();
const auth = createAuth(createClient(config, base), { onRedirectCallback: (returnTo) => void router.replace(routeOf(returnTo, base)) });
const router = createAppRouter(auth, createWebHistory(base));
// Idle sign-out for the page's lifetime (the default action is logout() in every tab).
signOutWhenIdle(auth.client, config.idle);
createApp(App).use(auth).use(router).provide('api', apiUrl(config)).mount('#app');

// The same root rendered to a string where there is no browser (test/e2e/react-vue.e2e.ts runs it in Node): the
// client is the SDK's inert server client, and the state is 'loading' until a browser decides.
import { createAuthClient } from 'connect-pkce';
import { createAuth } from 'connect-pkce/vue';
import { createSSRApp } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createMemoryHistory } from 'vue-router';
import App from './App.vue';
import { createAppRouter } from './router.js';

export async function render(url: string): Promise<string> {
  const auth = createAuth(createAuthClient({ authority: 'https://idp.invalid', clientId: 'ssr', redirectUri: 'https://app.invalid/' }));
  const router = createAppRouter(auth, createMemoryHistory('/examples/vue/'));
  const app = createSSRApp(App).use(auth).use(router).provide('api', '/api');
  await router.push(url);
  await router.isReady();
  return renderToString(app);
}

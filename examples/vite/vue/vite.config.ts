import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// Served by the demo at /examples/vue/ (`npm run demo -- --vue`); the settings are the ES-module example's config.js.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/examples/vue/',
  plugins: [vue()],
  build: { modulePreload: { polyfill: false } },
});

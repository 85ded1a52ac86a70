import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Served by the demo at /examples/react/ (`npm run demo -- --react`); the settings are the ES-module example's config.js.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/examples/react/',
  // Automatic JSX runtime, without a plugin.
  oxc: { jsx: { runtime: 'automatic' } },
  build: { modulePreload: { polyfill: false } },
});

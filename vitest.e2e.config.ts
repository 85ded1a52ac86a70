import { defineConfig } from 'vitest/config';

// End-to-end tests: real browsers (Chromium; engines.e2e.ts also Firefox ESR and WebKitGTK) + oidc-provider over
// HTTPS. Run after `npm run build`.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    // Browser launch + full redirect flows are slow on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One file at a time: each launches browsers and its own servers.
    fileParallelism: false,
    coverage: { enabled: false },
  },
});

import { defineConfig } from 'vitest/config';

// Tests of the packed package as users install it. Run after `npm run check:package` (it leaves the tarball).
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    environment: 'node',
    coverage: { enabled: false },
  },
});

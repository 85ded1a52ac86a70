import { defineConfig } from 'vitest/config';

/** The Angular binding's tests, which load zone.js. */
const ANGULAR = 'test/unit/angular*.test.ts';

export default defineConfig({
  test: {
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
    },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: [ANGULAR],
          environment: 'happy-dom',
          // Type tests: what the compiler accepts and rejects in code that uses the SDK (run by tsc, not executed).
          typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        // As the Angular CLI builds an app that loads zone.js: async functions become generators over the global
        // Promise, which zone.js replaces, so the zone follows every await (after a native await code runs outside
        // any zone, and a test of which zone the binding calls the SDK in could not fail).
        oxc: { target: 'es2016' },
        test: { name: 'angular', include: [ANGULAR], environment: 'happy-dom' },
      },
    ],
  },
});

// The React and Vue examples in the demo: built apps (examples/vite/<app>/dist, from scripts/build-react-vue-examples.mjs)
// served at /examples/react/ and /examples/vue/, each a single-page app whose router owns every path below it.
import { existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';

/** Their pages, each its own redirect URI and post-logout redirect URI (registered exactly). */
export const REACT_VUE_PAGES = ['/examples/react/', '/examples/vue/'];

/**
 * The file for `path` under an app's build, or its index.html for a route of its router (a path without an extension
 * that is not a file: /examples/react/protected); undefined outside the two apps. `null` when the app is not built.
 */
export function reactVueFile(root: string, path: string): string | null | undefined {
  const page = REACT_VUE_PAGES.find((p) => path.startsWith(p) || `${path}/` === p);
  if (!page) return undefined;
  const dist = join(root, 'examples', 'vite', page.split('/')[2]!, 'dist');
  if (!existsSync(dist)) return null;
  const file = normalize(join(dist, path.slice(page.length)));
  if (!file.startsWith(dist + sep) && file !== dist) return undefined;
  const isFile = existsSync(file) && statSync(file).isFile();
  return isFile || extname(file) ? file : join(dist, 'index.html');
}

/** `--react`, `--vue` (either builds both: they share one install). */
export const wantsReactVue = (argv: string[]): boolean => argv.includes('--react') || argv.includes('--vue');

/**
 * The Trusted Types policies a page may create: none, but on the Vue example Vue's own (`vue`, which it creates at
 * start-up for the static markup it inserts as HTML). DOM sinks still take no plain string.
 */
export const trustedTypePolicies = (path: string): string => (path.startsWith('/examples/vue/') ? 'vue' : "'none'");

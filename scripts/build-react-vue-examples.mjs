// Builds the React and Vue examples (examples/vite/) on the PACKED package, as a customer installs it: packs dist/
// (run `npm run build` first), installs the examples' locked dependencies once (`npm ci`, one lock for both apps),
// installs the tarball over them without saving it (its hash changes with every build, so it cannot be locked),
// type-checks both apps against the packed types, then builds each app for the browser and its root for Node
// (server-side rendering). The React app is built with NODE_ENV=development: StrictMode mounts twice only there,
// and that is what its end-to-end test must show the callback surviving.
//   node scripts/build-react-vue-examples.mjs   (the demo's --react/--vue and test/e2e/react-vue.e2e.ts run it)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const examples = `${root}examples/vite`;
const { name, version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const tarball = `${root}.tmp/pack/${name}-${version}.tgz`;

/** @param {string} cmd @param {string[]} args @param {Record<string, string>} [env] */
const run = (cmd, args, env = {}) => {
  const t = Date.now();
  execFileSync(cmd, args, { cwd: examples, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  console.log(`[examples] ${cmd} ${args.join(' ')}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
};
/**
 * Vite, quiet but for errors (react-router's "use client" directive warns for nothing in a client bundle).
 * @param {string} app @param {string[]} args
 */
const vite = (app, ...args) => run('npx', ['--no-install', 'vite', 'build', '--config', `${app}/vite.config.ts`, '--logLevel', 'error', ...args], app === 'react' ? { NODE_ENV: 'development' } : {});

export function buildExamples() {
  const started = Date.now();
  if (!existsSync(`${root}dist/index.mjs`)) throw new Error('dist/ is missing: run npm run build first');
  mkdirSync(`${root}.tmp/pack`, { recursive: true });
  // dist/ as built; the prepack script would build it again.
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', `${root}.tmp/pack`], { cwd: root, stdio: 'ignore' });
  const installed = `${examples}/node_modules/.package-lock.json`;
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(`${examples}/package-lock.json`).mtimeMs)
    run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline']);
  run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', tarball]);
  run('npx', ['--no-install', 'tsc', '-p', '.']);
  for (const app of ['react', 'vue']) {
    vite(app);
    vite(app, '--ssr', `src/ssr.${app === 'react' ? 'tsx' : 'ts'}`, '--outDir', 'ssr');
  }
  console.log(`[examples] React and Vue examples built on ${tarball.slice(root.length)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildExamples();

// `npm run check:package`: packs the package as `npm publish` would (the prepack script builds dist), checks what the
// tarball holds, then lints the tarball with publint and @arethetypeswrong/cli. The tarball stays in .tmp/pack/ for
// the consumer-project test (test/package/).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const dir = '.tmp/pack';
const tarball = `${dir}/${name}-${version}.tgz`;
/** @param {string} cmd @param {string[]} args */
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
run('npm', ['pack', '--pack-destination', dir]);

const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
const required = [
  'package.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'dist/index.mjs',
  'dist/index.d.ts',
  'dist/connect-pkce.standalone.mjs',
  'dist/connect-pkce.iife.min.js',
  'dist/silent-renew.html',
  'dist/silent-renew-csp.html',
  'dist/silent-renew.js',
  'dist/session-monitor.mjs',
  'dist/session-monitor.d.ts',
  'dist/session-monitor.iife.min.js',
  'dist/idle.mjs',
  'dist/idle.d.ts',
  'dist/idle.iife.min.js',
  'dist/dpop.mjs',
  'dist/dpop.d.ts',
  'dist/dpop.iife.min.js',
  // The framework bindings and the test client (ES modules only).
  ...['react', 'react-idle', 'vue', 'testing'].flatMap((n) => [`dist/${n}.mjs`, `dist/${n}.d.ts`]),
  'dist/angular.mjs',
  'dist/angular.d.ts',
  'dist/angular-testing.mjs',
  'dist/angular-testing.d.ts',
];
const missing = required.filter((f) => !listed.includes(`package/${f}`));
if (missing.length) throw new Error(`${tarball} lacks ${missing.join(', ')}`);
console.log(`${tarball}: ${listed.length} files, all of ${required.length} required ones present`);

run('publint', ['run', tarball, '--strict']);
// ESM only: CommonJS require() is not supported. The script tag (./iife) and the silent pages are assets to serve
// or copy, not modules to import, so they carry no types and are left out of the check.
run('attw', [tarball, '--profile', 'esm-only', '--format', 'table-flipped', '--exclude-entrypoints',
  './iife', './session-monitor.iife', './idle.iife', './dpop.iife',
  './silent-renew.html', './silent-renew-csp.html', './silent-renew.js']);

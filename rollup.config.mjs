import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import tsc from 'typescript';
import { dts } from 'rollup-plugin-dts';

// The silent page: the smallest page that hands the authorization response to the app. In the hidden iframe it posts
// to the parent window, addressed to its own origin only; in a popup (top level) it posts on a same-origin
// BroadcastChannel, which a provider's Cross-Origin-Opener-Policy cannot cut, and closes. It loads nothing else, so
// the app never boots inside the iframe. Kept in step with src/silent-page.ts (same message shape).
const post =
  'var m={type:"connect-pkce:silent",url:location.href};parent!==window?parent.postMessage(m,location.origin):(new BroadcastChannel(m.type).postMessage(m),setTimeout(close,50))';
/** @type {import('rollup').Plugin} */
const silentPages = {
  name: 'silent-pages',
  generateBundle() {
    /** @param {string} body */
    const page = (body) => `<!doctype html><meta charset="utf-8"><title>connect-pkce</title>${body}\n`;
    this.emitFile({ type: 'asset', fileName: 'silent-renew.html', source: page(`<script>${post}</script>`) });
    // For a strict CSP (script-src 'self'): the same code as an external script.
    this.emitFile({ type: 'asset', fileName: 'silent-renew.js', source: `${post}\n` });
    this.emitFile({ type: 'asset', fileName: 'silent-renew-csp.html', source: page('<script src="silent-renew.js"></script>') });
  },
};

/**
 * Writes the Subresource Integrity hash (sha384) of each file the build writes beside it, as `<file>.sri`, for the
 * README's pinned script tag (`npm run readme:sri` prints it there). Hashes the file as written, source-map comment
 * included, since that is what a CDN serves.
 * @type {import('rollup').Plugin}
 */
const sri = {
  name: 'sri',
  writeBundle(options, bundle) {
    for (const out of Object.values(bundle)) {
      if (out.type !== 'chunk') continue;
      const file = options.file ?? join(options.dir ?? '.', out.fileName);
      const hash = createHash('sha384').update(readFileSync(file)).digest('base64');
      writeFileSync(`${file}.sri`, `sha384-${hash}\n`);
    }
  },
};

/**
 * Minifier settings of the script-tag build; the size test measures oauth4webapi's share with the same ones.
 * @type {import('@rollup/plugin-terser').Options}
 */
export const IIFE_TERSER = { ecma: 2020, module: false, compress: { passes: 3, unsafe_arrows: true, hoist_funs: true }, format: { comments: false } };

/**
 * TypeScript to JavaScript file by file (`transpileModule`, which `isolatedModules` and `verbatimModuleSyntax` make
 * exact): `npm run typecheck` checks the types once, where a checking plugin checked the whole program again for
 * each of the builds below (the build took 50 s instead of a few on the 2-core machine).
 * @returns {import('rollup').Plugin}
 */
const ts = () => ({
  name: 'transpile-ts',
  resolveId(id, importer) {
    if (!importer || !id.startsWith('.') || !id.endsWith('.js')) return null;
    const file = join(dirname(importer), id.replace(/\.js$/, '.ts'));
    return existsSync(file) ? file : null;
  },
  transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    const out = tsc.transpileModule(code, { fileName: id, compilerOptions: TS_OPTIONS });
    return { code: out.outputText, map: out.sourceMapText };
  },
});
const TS_OPTIONS = tsc.convertCompilerOptionsFromJson(
  { ...tsc.readConfigFile('tsconfig.json', tsc.sys.readFile).config.compilerOptions, noEmit: false, declaration: false, sourceMap: true },
  '.',
).options;

/**
 * Optional capabilities, each its own entry point so that apps that do not import them ship none of their bytes (and
 * the script-tag build stays as it is): `connect-pkce/<name>`, and `dist/<name>.iife.min.js`, a script to load after
 * the main one, which adds its export to the `ConnectPkce` global. They reach the core through its public entry
 * (`./index.js`), which stays external: `./index.mjs` beside them, or the `ConnectPkce` global.
 */
const ADD_ONS = ['session-monitor', 'idle', 'dpop'];
/**
 * How an add-on's ES module names the core: `./index.mjs` beside it, or the package itself (`connect-pkce/dpop`
 * imports `connect-pkce`, so that a bundler sees one core and a size check of the add-on alone leaves the core out).
 */
/** @type {Record<string, string>} */
const CORE_IMPORT = { dpop: 'connect-pkce' };
/** @param {string} id */
const isCore = (id) => /[\\/]src[\\/]index\.(js|ts)$/.test(id) || id === './index.js';

/**
 * A plugin that makes the core the external import `id` (none without an id).
 * @param {string | undefined} id
 * @returns {import('rollup').Plugin[]}
 */
const coreAs = (id) => (id ? [{ name: 'core-import', resolveId: (source) => (isCore(source) ? { id, external: true } : null) }] : []);

/**
 * The builds of one add-on: ES module, script tag, types.
 * @param {string} name
 * @returns {import('rollup').RollupOptions[]}
 */
const addOn = (name) => [
  {
    input: `src/${name}.ts`,
    external: (id) => id === 'oauth4webapi' || (isCore(id) && !CORE_IMPORT[name]),
    // A module it takes one helper from is not imported for its side effects (it has none).
    treeshake: { moduleSideEffects: false },
    output: {
      file: `dist/${name}.mjs`,
      format: 'es',
      sourcemap: true,
      paths: (id) => (isCore(id) ? './index.mjs' : id),
    },
    // The package name is given as the import's resolved id: `paths` would make it relative to the output.
    plugins: [
      ...coreAs(CORE_IMPORT[name]),
      ts(),
    ],
  },
  {
    input: `src/${name}.ts`,
    external: isCore,
    output: {
      file: `dist/${name}.iife.min.js`,
      format: 'iife',
      name: 'ConnectPkce',
      extend: true,
      globals: (id) => (isCore(id) ? 'ConnectPkce' : id),
      sourcemap: true,
    },
    plugins: [resolve({ browser: true }), ts(), terser(IIFE_TERSER), sri],
  },
  {
    input: `src/${name}.ts`,
    external: isCore,
    output: { file: `dist/${name}.d.ts`, format: 'es', paths: (id) => (isCore(id) ? './index.js' : id) },
    plugins: [dts()],
  },
];

/**
 * The framework bindings and the test double (issue 22), ES modules only: `connect-pkce/react`, `connect-pkce/vue`,
 * `connect-pkce/testing`. They import the core as the package itself (`connect-pkce`, and `connect-pkce/idle`), never
 * a copy of it: an app bundles one core, whose client they read. The frameworks are the app's own (optional peers).
 */
const BINDINGS = ['react', 'react-idle', 'vue', 'testing'];
/** The package's entries that other entries import: the core, the add-ons and the bindings that build on others. */
const PACKAGE_ENTRY = /[\\/]src[\\/](index|idle|session-monitor|react|angular[\\/]index)\.(js|ts)$/;
/**
 * Imports of the package's entries, by their package names (`connect-pkce`, `connect-pkce/idle`, …), never a copy:
 * an app bundles one core, whose client every binding reads. The entry being built is imported by no one.
 * @type {import('rollup').Plugin}
 */
const asPackage = {
  name: 'as-package',
  resolveId(id, from) {
    if (!from) return null;
    const entry = PACKAGE_ENTRY.exec(id.startsWith('.') ? join(from, '..', id) : id)?.[1];
    return entry ? { id: entry === 'index' ? 'connect-pkce' : `connect-pkce/${entry.replace(/[\\/]index$/, '')}`, external: true } : null;
  },
};
// oauth4webapi: imported by errors.ts, which the bindings do not use (tree-shaken); named here to keep it out.
const bindingExternal = ['react', 'vue', 'oauth4webapi'];
/** @param {string} id */
const ANGULAR = (id) => /^(@angular\/|rxjs)/.test(id);

/**
 * The builds of one binding: ES module, types.
 * @param {string} name
 * @returns {import('rollup').RollupOptions[]}
 */
const binding = (name) => [
  {
    input: `src/${name}.ts`,
    external: bindingExternal,
    treeshake: { moduleSideEffects: false },
    output: { file: `dist/${name}.mjs`, format: 'es', sourcemap: true },
    plugins: [asPackage, ts()],
  },
  {
    input: `src/${name}.ts`,
    external: bindingExternal,
    output: { file: `dist/${name}.d.ts`, format: 'es' },
    plugins: [asPackage, dts()],
  },
];


/** @type {import('rollup').RollupOptions[]} */
export default [
  {
    input: 'src/index.ts',
    external: ['oauth4webapi'],
    output: { file: 'dist/index.mjs', format: 'es', sourcemap: true },
    plugins: [ts(), silentPages],
  },
  {
    input: 'src/index.ts',
    output: {
      file: 'dist/connect-pkce.iife.min.js',
      format: 'iife',
      name: 'ConnectPkce',
      sourcemap: true,
    },
    plugins: [
      resolve({ browser: true }),
      ts(),
      terser(IIFE_TERSER),
      sri,
    ],
  },
  {
    // For pages that load ES modules without a bundler or an import map: oauth4webapi inlined.
    input: 'src/index.ts',
    output: { file: 'dist/connect-pkce.standalone.mjs', format: 'es', sourcemap: true },
    plugins: [resolve({ browser: true }), ts(), terser({ ecma: 2020, module: true, format: { comments: false } })],
  },
  {
    input: 'src/index.ts',
    output: { file: 'dist/index.d.ts', format: 'es' },
    plugins: [dts()],
  },
  ...ADD_ONS.flatMap(addOn),
  ...BINDINGS.flatMap(binding),
  // The Angular binding, `connect-pkce/angular` (ES module and types only: Angular apps are built); Angular and rxjs
  // stay the app's.
  ...[
    ['src/angular/index.ts', 'angular'],
    ['src/angular/testing.ts', 'angular-testing'],
  ].flatMap(([input, name]) => /** @type {import('rollup').RollupOptions[]} */ ([
    {
      input,
      treeshake: { moduleSideEffects: false },
      output: { file: `dist/${name}.mjs`, format: 'es', sourcemap: true },
      external: ANGULAR,
      plugins: [asPackage, ts()],
    },
    { input, external: ANGULAR, output: { file: `dist/${name}.d.ts`, format: 'es' }, plugins: [asPackage, dts()] },
  ])),
  {
    // The package's command (`npx connect-pkce doctor`), for Node; nothing in it reaches the browser builds.
    input: 'src/doctor/bin.ts',
    external: ['oauth4webapi', /^node:/],
    output: { file: 'dist/cli.mjs', format: 'es', banner: '#!/usr/bin/env node' },
    plugins: [ts()],
  },
];

// Item 1: bytes of a typical app bundle, both libraries through the same rollup + node-resolve + terser settings.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import { REPO_ROOT } from '../test/e2e/support/app-server.js';
import { oauth4webapiShare } from '../test/unit/support/bundle-size.js';
import { DIST_SNAPSHOT } from './setup.js';

export interface Size {
  min: number;
  gzip: number;
}

const gz = (b: Buffer | string) => gzipSync(b, { level: 9 }).length;
const size = (b: Buffer | string): Size => ({ min: Buffer.byteLength(b), gzip: gz(b) });

/** The one bundler configuration both entries go through: an ES module bundle as an SPA build would emit. */
async function bundle(entry: string): Promise<Size> {
  const b = await rollup({
    input: join(REPO_ROOT, 'bench', 'entries', entry),
    plugins: [
      // The package as an app imports it, from this run's build.
      { name: 'connect-pkce', resolveId: (id) => (id === 'connect-pkce' ? join(DIST_SNAPSHOT, 'index.mjs') : null) },
      resolve({ browser: true }),
      terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
    ],
    onwarn: (w, warn) => (w.code === 'CIRCULAR_DEPENDENCY' ? undefined : warn(w)),
  });
  const { output } = await b.generate({ format: 'es' });
  await b.close();
  if (output.length !== 1) throw new Error(`${entry}: expected one chunk, got ${output.length}`);
  return size(output[0].code);
}

export interface Sizes {
  ours: Size;
  theirs: Size;
  /** What the hidden iframe loads: connect-pkce's shipped silent page vs oidc-client-ts's silent-callback bundle. */
  oursSilent: Size;
  theirsSilent: Size;
  /** dist/connect-pkce.iife.min.js, the script-tag build (everything, oauth4webapi included). */
  oursIife: Size;
  /** oidc-client-ts's own browser build (dist/browser/oidc-client-ts.min.js), for reference. */
  theirsBrowser: Size;
  /** Of the script-tag build: the oauth4webapi functions it calls, alone, with its minifier settings. */
  oursIifeOauth4webapi?: Size;
}

export async function measureSizes(): Promise<Sizes> {
  const file = (...p: string[]) => readFile(join(REPO_ROOT, ...p));
  const [ours, theirs, theirsSilent] = await Promise.all([bundle('ours.js'), bundle('theirs.js'), bundle('theirs-silent.js')]);
  return {
    ours,
    theirs,
    theirsSilent,
    oursSilent: size(await readFile(join(DIST_SNAPSHOT, 'silent-renew.html'))),
    oursIife: size(await readFile(join(DIST_SNAPSHOT, 'connect-pkce.iife.min.js'))),
    theirsBrowser: size(await file('node_modules', 'oidc-client-ts', 'dist', 'browser', 'oidc-client-ts.min.js')),
    oursIifeOauth4webapi: await oauth4webapiShare(),
  };
}

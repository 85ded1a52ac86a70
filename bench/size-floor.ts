// Diagnostics (not part of `npm run bench`): how far below its current size could the script-tag build go? Builds,
// with the script-tag build's own settings, (1) the whole IIFE, (2) only the protocol steps every renewal needs
// (options, discovery, the PKCE request and its transaction, the callback's validation and code exchange, the hidden
// iframe, the refresh grant), with no client, tabs, scheduler, events, logout, fetch or CONNECT helpers, and (3) the
// oauth4webapi functions the SDK calls, alone. Usage: npx tsx bench/size-floor.ts
import { fileURLToPath } from 'node:url';
import resolve from '@rollup/plugin-node-resolve';
import terser, { type Options } from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { rollup } from 'rollup';
import { oauth4webapiShare, type Size, sizeOf } from '../test/unit/support/bundle-size.js';

const src = (f: string) => fileURLToPath(new URL(`../src/${f}`, import.meta.url));
const { IIFE_TERSER } = (await import(new URL('../rollup.config.mjs', import.meta.url).href)) as { IIFE_TERSER: Options };

const PROTOCOL_CORE = `
export { resolveConfig } from '${src('config.ts')}';
export { discover } from '${src('discovery.ts')}';
export { createAuthorizationRequest, createTransactionStore } from '${src('login.ts')}';
export { callbackParams, exchangeCallback, takeTransaction } from '${src('callback.ts')}';
export { runSilentFrame } from '${src('silent-frame.ts')}';
export { webStore } from '${src('storage.ts')}';
export { processRefreshTokenResponse, refreshTokenGrantRequest } from 'oauth4webapi';
`;

async function iife(entry: { file: string } | { code: string }): Promise<Size> {
  const virtual = 'virtual:entry';
  const bundle = await rollup({
    input: 'file' in entry ? entry.file : virtual,
    plugins: [
      { name: 'entry', resolveId: (id) => (id === virtual ? id : null), load: (id) => (id === virtual && 'code' in entry ? entry.code : null) },
      resolve({ browser: true }),
      typescript({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)), include: ['src/**/*.ts'], noEmit: false, declaration: false }),
    ],
  });
  const { output } = await bundle.generate({ format: 'iife', name: 'ConnectPkce', plugins: [terser(IIFE_TERSER)] });
  await bundle.close();
  return sizeOf(output[0].code);
}

const rows: [string, Size][] = [
  ['script-tag build, every feature', await iife({ file: src('index.ts') })],
  ['protocol steps only', await iife({ code: PROTOCOL_CORE })],
  ['oauth4webapi functions alone', await oauth4webapiShare()],
];
for (const [name, s] of rows) console.log(`${name.padEnd(34)} ${String(s.min).padStart(7)} B min ${String(s.gzip).padStart(7)} B gzip -9`);

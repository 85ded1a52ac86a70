// Diagnostics (not part of `npm run bench`): how far below its current size could the script-tag build go? Builds,
// with the script-tag build's own settings, (1) the whole IIFE, (2) only the protocol steps every renewal needs
// (options, discovery, the PKCE request and its transaction, the callback's validation and code exchange, the hidden
// iframe, the refresh grant), with no client, tabs, scheduler, events, logout, fetch or CONNECT helpers, and (3) the
// oauth4webapi functions the SDK calls, alone. Usage: npx tsx bench/size-floor.ts
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { iifeSize, oauth4webapiShare, type Size } from '../test/unit/support/bundle-size.js';

const src = (f: string) => fileURLToPath(new URL(`../src/${f}`, import.meta.url));
const ts = () =>
  typescript({
    tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)),
    include: ['src/**/*.ts'],
    noEmit: false,
    declaration: false,
  });

const PROTOCOL_CORE = `
export { resolveConfig } from '${src('config.ts')}';
export { discover } from '${src('discovery.ts')}';
export { createAuthorizationRequest, createTransactionStore } from '${src('login.ts')}';
export { callbackParams, exchangeCallback, takeTransaction } from '${src('callback.ts')}';
export { runSilentFrame } from '${src('silent-frame.ts')}';
export { webStore } from '${src('storage.ts')}';
export { processRefreshTokenResponse, refreshTokenGrantRequest } from 'oauth4webapi';
`;

const rows: [string, Size][] = [
  ['script-tag build, every feature', await iifeSize(`export * from '${src('index.ts')}';`, [ts()])],
  ['protocol steps only', await iifeSize(PROTOCOL_CORE, [ts()])],
  ['oauth4webapi functions alone', await oauth4webapiShare()],
];
for (const [name, s] of rows) console.log(`${name.padEnd(34)} ${String(s.min).padStart(7)} B min ${String(s.gzip).padStart(7)} B gzip -9`);

// @vitest-environment node
// What the README promises a user who copies from it. Runs after `npm run build` (npm test builds first).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = (f: string) => fileURLToPath(new URL(`../../${f}`, import.meta.url));
const readme = readFileSync(root('README.md'), 'utf8');

describe('README', () => {
  it("pins the script tag to this version, with the built file's integrity hash (npm run readme:sri)", () => {
    const { version } = JSON.parse(readFileSync(root('package.json'), 'utf8'));
    const built = readFileSync(root('dist/connect-pkce.iife.min.js'));
    const integrity = `sha384-${createHash('sha384').update(built).digest('base64')}`;
    expect(readFileSync(root('dist/connect-pkce.iife.min.js.sri'), 'utf8').trim()).toBe(integrity);
    const tag = readme.match(/<script src="([^"]+)"\s+integrity="([^"]+)" crossorigin="anonymous"><\/script>/);
    expect(tag?.[1], 'the pinned CDN URL').toBe(`https://cdn.jsdelivr.net/npm/connect-pkce@${version}/dist/connect-pkce.iife.min.js`);
    expect(tag?.[2], 'stale integrity hash: run npm run build && npm run readme:sri').toBe(integrity);
  });
});

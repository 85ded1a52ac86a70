// @vitest-environment node
// What the README promises a user who copies from it. Runs after `npm run build` (npm test builds first).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

  it('documents every export of the package entry', () => {
    const index = readFileSync(root('src/index.ts'), 'utf8');
    const names = [...index.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) =>
      (m[1] ?? '')
        .split(',')
        .map((n) => n.replace(/^\s*type\s+/, '').trim())
        .filter(Boolean),
    );
    expect(names).toContain('createAuthClient');
    const undocumented = names.filter((n) => !new RegExp(`\`${n}[\`(<]`).test(readme));
    expect(undocumented, 'exports the README never names').toEqual([]);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

describe.each(['README.md', 'SECURITY.md', 'BENCHMARKS.md', 'examples/README.md'])('links in %s', (doc) => {
  const text = readFileSync(root(doc), 'utf8');
  const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
  const relative = targets.filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith('#'));

  it('every relative link names a file or folder of the repository', () => {
    const dead = relative.filter((t) => !existsSync(join(dirname(root(doc)), decodeURI(t.split('#')[0] ?? ''))));
    expect(dead).toEqual([]);
  });

  it('every link to a heading of the page finds it', () => {
    const headings = [...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1] ?? ''));
    const dead = targets.filter((t) => t.startsWith('#') && !headings.includes(t.slice(1)));
    expect(dead).toEqual([]);
  });

  it('every repository path it quotes exists', () => {
    const paths = [...text.matchAll(/`((?:src|test|examples|bench|scripts)\/[^`\s*]*)`/g)].map((m) => m[1] ?? '');
    expect(paths.filter((p) => !existsSync(root(p)))).toEqual([]);
  });
});

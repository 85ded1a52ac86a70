// What the script-tag build weighs, and how much of that is oauth4webapi: used by the size test (issue 5).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import resolve from '@rollup/plugin-node-resolve';
import terser, { type Options } from '@rollup/plugin-terser';
import { type Plugin, rollup } from 'rollup';

export interface Size {
  min: number;
  gzip: number;
}

/** Measured as users pay for it: minified, then gzip -9. */
export const sizeOf = (code: Buffer | string): Size => ({
  min: Buffer.byteLength(code),
  gzip: gzipSync(code, { level: 9 }).length,
});

/** The oauth4webapi exports that src/ imports as values (type-only imports cost nothing). */
export function oauth4webapiImports(): string[] {
  const src = fileURLToPath(new URL('../../../src/', import.meta.url));
  const names = new Set<string>();
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(`${src}${file}`, 'utf8');
    for (const [, list] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'oauth4webapi'/g))
      for (const part of list!.split(',').map((p) => p.trim()))
        if (part && !part.startsWith('type ')) names.add(part);
  }
  return [...names].sort();
}

/**
 * `code` as the entry of an IIFE bundle, resolved for browsers and minified with the script-tag build's own terser
 * settings (rollup.config.mjs is untyped JavaScript, hence the URL and the cast). `plugins` come before resolution.
 */
export async function iifeSize(code: string, plugins: Plugin[] = []): Promise<Size> {
  const config = new URL('../../../rollup.config.mjs', import.meta.url).href;
  const { IIFE_TERSER } = (await import(config)) as { IIFE_TERSER: Options };
  const entry = 'virtual:entry';
  const bundle = await rollup({
    input: entry,
    plugins: [
      { name: 'entry', resolveId: (id) => (id === entry ? id : null), load: (id) => (id === entry ? code : null) },
      ...plugins,
      resolve({ browser: true }),
    ],
  });
  const { output } = await bundle.generate({ format: 'iife', name: 'Bundle', plugins: [terser(IIFE_TERSER)] });
  await bundle.close();
  return sizeOf(output[0].code);
}

/**
 * Those oauth4webapi functions alone, bundled and minified as the script-tag build is: the part of its size that
 * connect-pkce's own code cannot shrink.
 */
export const oauth4webapiShare = (): Promise<Size> =>
  iifeSize(`export { ${oauth4webapiImports().join(', ')} } from 'oauth4webapi';`);

// @vitest-environment node
// The README's TypeScript snippets compile as a user would paste them: each ```ts block becomes a module that
// imports the built package (dist/index.d.ts, so run after `npm run build`), checked with strict settings and
// exactOptionalPropertyTypes. What a snippet leaves to the reader (`auth`, `tenantId`, …) is declared once.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = (f: string) => fileURLToPath(new URL(`../../${f}`, import.meta.url));
// ```tsx blocks (the React binding) compile as .tsx with React's automatic JSX runtime.
const snippets = [...readFileSync(root('README.md'), 'utf8').matchAll(/^```(tsx?)\n([\s\S]*?)^```$/gm)].map((m) => ({
  ext: m[1] ?? 'ts',
  code: m[2] ?? '',
}));

/** The placeholders snippets use without defining; a snippet's own `const` of the same name shadows them. */
const placeholders = `import type { AuthClient } from 'connect-pkce';
declare global {
  const auth: AuthClient;
  const tenantId: string;
  const clientId: string;
  const redirectUri: string;
  const silentRedirectUri: string;
}
export {};
`;

it(`the README has TypeScript snippets, and all ${snippets.length} compile against the built types`, () => {
  expect(snippets.length).toBeGreaterThanOrEqual(3);
  const dir = root('.tmp/readme-snippets');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'placeholders.d.ts')];
  writeFileSync(files[0] as string, placeholders);
  snippets.forEach(({ ext, code }, i) => {
    const file = join(dir, `snippet-${i + 1}.${ext}`);
    // A module, so that top-level await is allowed and each snippet has its own scope.
    writeFileSync(file, `${code}\nexport {};\n`);
    files.push(file);
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.ReactJSX,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitReturns: true,
    noFallthroughCasesInSwitch: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
    // The optional entry points (connect-pkce/session-monitor, connect-pkce/idle, connect-pkce/react, …) sit beside it.
    paths: { 'connect-pkce': [root('dist/index.d.ts')], 'connect-pkce/*': [root('dist/*.d.ts')] },
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(errors).toEqual([]);
}, 60_000);

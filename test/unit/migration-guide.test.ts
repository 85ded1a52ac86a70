// @vitest-environment node
// The Angular migration guide's snippets compile (docs/migrating-to-connect-pkce-angular.md): each ```ts block is a
// module, checked with strict settings against the built types (run after `npm run build`) and Angular's. The
// oidc-client 1.x settings it starts from are checked against oidc-client-ts, whose UserManager takes the same ones.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = (f: string) => fileURLToPath(new URL(`../../${f}`, import.meta.url));
const guide = readFileSync(root('docs/migrating-to-connect-pkce-angular.md'), 'utf8');
const snippets = [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');

it(`the guide's ${snippets.length} TypeScript snippets compile against the built types`, () => {
  expect(snippets.length).toBeGreaterThanOrEqual(6);
  expect(guide).toMatch(/from 'oidc-client'/);
  const dir = root('.tmp/migration-guide');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = snippets.map((code, i) => {
    const file = join(dir, `snippet-${i + 1}.ts`);
    writeFileSync(file, `${code}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    // Angular's decorators, as an Angular CLI project has them.
    experimentalDecorators: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
    paths: {
      'connect-pkce': [root('dist/index.d.ts')],
      'connect-pkce/angular': [root('dist/angular.d.ts')],
      'connect-pkce/angular/testing': [root('dist/angular-testing.d.ts')],
      'oidc-client': [root('node_modules/oidc-client-ts')],
    },
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(errors).toEqual([]);
}, 60_000);

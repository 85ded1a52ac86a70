// Rewrites BENCHMARKS.md (and prints the table) from the last run's raw numbers in .build/results.json, e.g. after a
// change to the report's layout. The numbers stay those of that run. Usage: npx tsx bench/render.ts
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/e2e/support/app-server.js';
import { renderMarkdown, renderTable, type Results } from './report.js';
import { BUILD_DIR } from './setup.js';

const results = JSON.parse(await readFile(join(BUILD_DIR, 'results.json'), 'utf8')) as Results;
await writeFile(join(REPO_ROOT, 'BENCHMARKS.md'), renderMarkdown(results));
console.log(renderTable(results));

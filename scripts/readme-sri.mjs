// `npm run readme:sri`: prints the pinned CDN script tag, with the version from package.json and the integrity hash
// the build wrote (dist/connect-pkce.iife.min.js.sri), into README.md between its `sri` markers. Run after
// `npm run build` whenever the script-tag build changes; test/unit/readme.test.ts fails until it is run.
import { readFileSync, writeFileSync } from 'node:fs';

const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
const integrity = readFileSync('dist/connect-pkce.iife.min.js.sri', 'utf8').trim();
const tag = [
  '```html',
  `<script src="https://cdn.jsdelivr.net/npm/${name}@${version}/dist/connect-pkce.iife.min.js"`,
  `        integrity="${integrity}" crossorigin="anonymous"></script>`,
  '```',
].join('\n');

const start = '<!-- sri: written by npm run readme:sri -->';
const end = '<!-- /sri -->';
const readme = readFileSync('README.md', 'utf8');
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from < 0 || to < from) throw new Error(`README.md has no "${start}" … "${end}" block`);
const updated = `${readme.slice(0, from + start.length)}\n${tag}\n${readme.slice(to)}`;
if (updated !== readme) writeFileSync('README.md', updated);
console.log(updated === readme ? 'README.md: script tag up to date' : `README.md: script tag now ${version}, ${integrity}`);

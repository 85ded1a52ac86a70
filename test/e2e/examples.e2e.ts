// The examples and the demo, end to end: runs `npm run demo -- --check` (minus the build, done before the e2e
// tests) as its own process, exactly as a user would, so a server or browser left running would show as a hang. The
// two checks run side by side: each starts its own servers on free ports and its own Chromium.
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { REPO_ROOT } from './support/app-server.js';

function runDemoCheck(...flags: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // Free ports (the check's default), whatever the environment says.
    const env = { ...process.env, DEMO_APP_PORT: '', DEMO_IDP_PORT: '' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/server.ts', '--check', ...flags], { cwd: REPO_ROOT, env });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Every step the check runs; each must pass. */
const STEPS = [
  'spa: log in through the provider',
  'spa: automatic silent renewal',
  'spa: API call through auth.fetch',
  'spa: log out',
  'spa: log in in a popup, the page kept',
  'spa: a logout at the provider is noticed',
  'spa: idle sign-out after',
  'script-tag: log in through the provider',
  'script-tag: API call through auth.fetch',
  'pages ran under the strict CSP without errors',
];

async function expectCheckPasses(...flags: string[]) {
  const { code, output } = await runDemoCheck(...flags);
  const lines = output.split('\n');
  expect(lines.filter((l) => /^(FAIL|SKIP)\b/.test(l)), output).toEqual([]);
  for (const step of STEPS) expect(lines.some((l) => l.startsWith('PASS') && l.includes(step)), `${step}\n${output}`).toBe(true);
  expect(output).toMatch(/^demo check: PASS, (\d+) of \1 steps passed/m);
  expect(code).toBe(0);
  return output;
}

test.concurrent('npm run demo -- --check: both examples log in, renew silently, call the API, under a strict CSP', { timeout: 120_000 }, async () => {
  await expectCheckPasses();
});

test.concurrent('npm run demo -- --check --identityserver: the same steps against a provider that answers like CONNECT\'s IdentityServer', { timeout: 120_000 }, async () => {
  const output = await expectCheckPasses('--identityserver');
  expect(output).toMatch(/provider http:\/\/localhost:\d+\/identity \(IdentityServer, iss success\)/);
});

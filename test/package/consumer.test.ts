// A new user's project, from the packed tarball (run after `npm run check:package`, which leaves it in .tmp/pack):
// a fresh Vite + TypeScript app with strict settings and exactOptionalPropertyTypes installs it, type-checks code
// that narrows `err.code` and passes `string | undefined` options, and builds, with the silent page copied to
// public/ as the README shows. Vite and TypeScript are the versions this repository locks, so npm's cache has them.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = (f: string) => fileURLToPath(new URL(`../../${f}`, import.meta.url));
const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
const pkg = json(root('package.json'));
const tarball = root(`.tmp/pack/${pkg.name}-${pkg.version}.tgz`);
const locked = (name: string): string => json(root(`node_modules/${name}/package.json`)).version;

/** The app's code: what the compiler must accept, and (marked) what it must reject. */
const main = `import {
  AuthError,
  type AuthErrorCode,
  createAuthClient,
  createAuthorizedFetch,
  type Handler,
  type LoginOptions,
  type LogoutOptions,
} from 'connect-pkce';

// Settings that may be missing, as from import.meta.env or a config file.
const settings: Record<string, string | undefined> = { tenant: undefined, scope: 'openid', hint: undefined };

const auth = createAuthClient({
  authority: 'https://idp.example',
  clientId: 'app',
  redirectUri: \`\${location.origin}/\`,
  silentRedirectUri: \`\${location.origin}/silent-renew.html\`,
  scope: settings.scope,
  tenantId: settings.tenant,
  postLogoutRedirectUri: settings.logout,
});

const login: LoginOptions = { loginHint: settings.hint, returnTo: settings.returnTo };
const logout: LogoutOptions = { returnTo: settings.logout };
const onToken: Handler<'token'> = (session) => console.log('until', session.expiresAt, session.idToken?.length);
auth.on('token', onToken);

function explain(err: AuthError): string {
  switch (err.code) {
    case 'login_required': {
      const narrowed: 'login_required' = err.code;
      return narrowed;
    }
    case 'unknown_provider_error':
      return \`provider said \${err.providerCode ?? '?'}: \${err.description ?? ''}\`;
    // @ts-expect-error: a misspelt code does not compile
    case 'acess_denied':
      return 'typo';
    default: {
      const rest: Exclude<AuthErrorCode, 'login_required' | 'unknown_provider_error'> = err.code;
      return rest;
    }
  }
}

const api = createAuthorizedFetch(auth);
document.querySelector('#login')?.addEventListener('click', () => void auth.login(login));
document.querySelector('#logout')?.addEventListener('click', () => void auth.logout(logout));
try {
  if (auth.isCallback()) await auth.handleRedirectCallback();
  if (await auth.isAuthenticated()) console.log(await (await api('https://api.example/items')).status);
} catch (err) {
  if (err instanceof AuthError) console.warn(explain(err));
  else throw err;
}
`;

let app = '';
/** What `npm install` printed. */
let installOutput = '';
/** Runs a command in the app; a failure throws with what the command printed (tsc prints its errors to stdout). */
function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { cwd: app, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

beforeAll(() => {
  if (!existsSync(tarball)) throw new Error(`${tarball} is missing: run npm run check:package first`);
  // Outside the repository, so that nothing resolves from its node_modules.
  app = mkdtempSync(join(tmpdir(), 'connect-pkce-consumer-'));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      // The README's copy step for Vite.
      scripts: { postinstall: 'mkdir -p public && cp node_modules/connect-pkce/dist/silent-renew.html public/' },
      dependencies: { 'connect-pkce': `file:${tarball}` },
      devDependencies: { typescript: locked('typescript'), vite: locked('vite') },
    }),
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        noEmit: true,
        types: [],
      },
      include: ['src'],
    }),
  );
  writeFileSync(
    join(app, 'index.html'),
    '<!doctype html><title>consumer</title><button id="login">Log in</button><script type="module" src="/src/main.ts"></script>\n',
  );
  mkdirSync(join(app, 'src'));
  writeFileSync(join(app, 'src/main.ts'), main);
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stdout}${install.stderr}`);
  installOutput = `${install.stdout}${install.stderr}`;
}, 240_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('a Vite + TypeScript project using the packed tarball', () => {
  it('installs the package with its silent page copied to public/', () => {
    expect(json(join(app, 'node_modules/connect-pkce/package.json')).version).toBe(pkg.version);
    // Angular is an optional peer (connect-pkce/angular): an app without it installs none and hears nothing of it.
    expect(installOutput).not.toMatch(/peer|@angular|rxjs/i);
    expect(existsSync(join(app, 'node_modules/@angular'))).toBe(false);
    expect(readFileSync(join(app, 'public/silent-renew.html'), 'utf8')).toContain('connect-pkce:silent');
  });

  it('type-checks code that narrows err.code and passes string | undefined options (exactOptionalPropertyTypes)', () => {
    run('npx', ['--no-install', 'tsc', '-p', '.']);
  }, 120_000);

  it('builds with vite, the silent page at a stable URL beside the hashed app bundle', () => {
    run('npx', ['--no-install', 'vite', 'build', '--logLevel', 'warn']);
    const dist = join(app, 'dist');
    expect(readFileSync(join(dist, 'silent-renew.html'), 'utf8')).toContain('connect-pkce:silent');
    const bundles = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
    expect(bundles).toHaveLength(1);
    const code = readFileSync(join(dist, 'assets', bundles[0] as string), 'utf8');
    // The SDK is in the bundle: its authorization request and its authorized fetch.
    expect(code).toContain('code_challenge_method');
    expect(code).toContain('Bearer');
  }, 120_000);
});

// `npx connect-pkce doctor …`: checks a real tenant's client registration from the terminal, one line per check with
// its fix, and exits non-zero when something is wrong. Built by rollup into dist/cli.mjs (the package's `bin`), apart
// from the browser bundles.
import { parseArgs } from 'node:util';
import { type ConnectRegion, connectAuthority } from '../connect.js';
import { type DoctorOptions, type Finding, runDoctor } from './checks.js';

/** The usage text of `connect-pkce doctor`. */
export const USAGE = `Usage: connect-pkce doctor (--region <uswe|euno|auea|jpea> | --authority <url>) --client-id <id>
         --redirect-uri <uri> [--silent-redirect-uri <uri>] [--origin <app origin>] [--tenant <id>]
         [--issuer <url>] [--scope <scopes>]
       connect-pkce doctor --help

Checks, with the requests a browser would make and no secret: discovery and its CORS for the origin, issuer,
endpoints, PKCE S256, the client (known, and public: no secret), CORS on the token endpoint, each redirect URI's
registration (a prompt=none request), framing of the silent request, DPoP support (dpop_signing_alg_values_supported),
whether the client may get refresh tokens (offline_access). Exit code 1 when a check fails, 2 on bad
arguments.`;

const LABEL: Record<Finding['verdict'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** One report line: verdict, check, what was found and, where needed, the fix. */
export const formatFinding = (f: Finding): string =>
  `${LABEL[f.verdict]} ${f.check.padEnd(19)} ${f.text}${f.fix ? `\n     ${' '.repeat(19)} fix: ${f.fix}` : ''}`;

/**
 * Parses the command line into the doctor's options, or `'help'` when it asks for the usage (`--help`, `-h`, with or
 * without the command); throws a usage message when it does not fit.
 */
export function doctorOptions(args: string[]): DoctorOptions | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      region: { type: 'string' },
      authority: { type: 'string' },
      issuer: { type: 'string' },
      tenant: { type: 'string' },
      'client-id': { type: 'string' },
      'redirect-uri': { type: 'string' },
      'silent-redirect-uri': { type: 'string' },
      origin: { type: 'string' },
      scope: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals[0] !== 'doctor' || positionals.length > 1) throw new Error('the only command is "doctor"');
  if (!values.region === !values.authority) throw new Error('pass --region or --authority (one of them)');
  if (!values['client-id'] || !values['redirect-uri']) throw new Error('--client-id and --redirect-uri are required');
  return {
    authority: values.authority ?? connectAuthority({ region: values.region as ConnectRegion }),
    issuer: values.issuer,
    clientId: values['client-id'],
    redirectUri: values['redirect-uri'],
    silentRedirectUri: values['silent-redirect-uri'],
    origin: values.origin,
    tenantId: values.tenant,
    // CONNECT's API scope when the region names CONNECT; else what the SDK sends by default.
    scope: values.scope ?? (values.region ? 'openid ocsapi' : 'openid'),
  };
}

/** Runs the command; resolves with the exit code (0 all good or the usage asked for, 1 a check failed, 2 bad arguments). */
export async function main(args: string[], print: (line: string) => void = console.log): Promise<number> {
  let o: DoctorOptions | 'help';
  try {
    o = doctorOptions(args);
  } catch (e) {
    print(`connect-pkce: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (o === 'help') {
    print(USAGE);
    return 0;
  }
  const findings = await runDoctor(o);
  for (const f of findings) print(formatFinding(f));
  const failed = findings.filter((f) => f.verdict === 'fail').length;
  print(failed ? `\n${failed} check(s) failed.` : '\nNo problem found.');
  return failed ? 1 : 0;
}

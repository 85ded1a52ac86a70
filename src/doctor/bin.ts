// The package's command (`bin`): `npx connect-pkce doctor …`.
import { main } from './cli.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

// `npm start`: the whole charger on a laptop (charger.ts), from the command
// line (cli-options.ts) to Ctrl-C. start.cjs runs this file's bundle;
// `node --import tsx hosts/node/cli.ts` runs it from source.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../modules/ports';
import { parseCli, USAGE, UsageError, type CliOptions } from './cli-options';
import { startCharger, type RunningCharger } from './charger';

export { mqttSettings, parseCli, USAGE, UsageError, type CliOptions, type MqttChoice, type Role } from './cli-options';
export { startCharger, type RunningCharger } from './charger';

export async function main(argv: string[]): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(argv, process.cwd());
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const quiet = options.quiet;
  const logger: Logger = { log: (line) => quiet || process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`) };
  let charger: RunningCharger;
  try {
    charger = await startCharger(options, logger);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') process.stderr.write(`port in use: ${err.message}. Try --http-port 0, --mqtt-port 0 or --no-mqtt.\n`);
    else process.stderr.write(`could not start: ${err.message}\n`);
    return 1;
  }
  process.stdout.write(charger.banner().join('\n') + '\n');
  return new Promise<number>((done) => {
    const stop = (signal: string) => {
      process.stdout.write(`\n${signal}: stopping, saving state…\n`);
      // A second Ctrl-C while saving leaves at once.
      process.once('SIGINT', () => done(130));
      charger.close().then(() => done(0), () => done(1));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('uncaughtException', (e) => {
      process.stderr.write(`crash: ${e.stack ?? e.message}\n`);
      charger.close().finally(() => done(1));
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

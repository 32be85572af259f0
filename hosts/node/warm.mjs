// The code-cache warm-up (bundle.mjs runs it after each build, in a child
// process, so that the cache is made under the flags `npm start` has):
// compiles the CLI script without a cache, starts the charger as `npm start`
// would (free HTTP port, fresh state directory; no MQTT or mDNS, which load
// only after the first answer anyway), fetches /status once, then writes V8's
// code cache for the script. Made after the run, the cache holds
// the functions that start and first answer ran, not only the top level.
//
//   node hosts/node/warm.mjs CACHE_FILE BUILD_STARTED_AT   (the cache file begins with the latter)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import launcher from './start.cjs';

const { compileCli, runCli } = launcher;

const [out, startedAt] = process.argv.slice(2);
if (!out || !Number.isFinite(Number(startedAt))) throw new Error('usage: node hosts/node/warm.mjs CACHE_FILE BUILD_STARTED_AT');
const dir = mkdtempSync(join(tmpdir(), 'evse-warm-'));
try {
  const { script } = compileCli({ cache: false });
  const cli = runCli(script);
  const options = cli.parseCli(['--http-port', '0', '--no-mqtt', '--no-mdns', '--quiet', '--state-dir', dir]);
  const charger = await cli.startCharger(options);
  try {
    charger.banner();
    const status = await new Promise((resolve, reject) => {
      request(`${charger.http.url}/status`, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ code: res.statusCode, body }));
      })
        .once('error', reject)
        .end();
    });
    if (status.code !== 200 || typeof JSON.parse(status.body).state !== 'number') throw new Error(`warm-up: GET /status answered ${status.code} ${status.body.slice(0, 200)}`);
    // Before the shutdown, whose functions a start does not need (V8 compiles them when they run).
    const build = Buffer.alloc(8);
    build.writeDoubleLE(Number(startedAt));
    writeFileSync(out, Buffer.concat([build, script.createCachedData()]));
  } finally {
    await charger.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);

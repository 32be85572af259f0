// `npx tsx bench/moddable/ocpp-phases.ts [SECONDS]`: what OCPP costs the
// firmware's RAM on the real engine, phase by phase, without other load. The
// ESP32-profile build (esp32/* creation, instrumented release, as
// test/node/moddable/esp32-profile.test.ts builds it) runs in mcsim in the
// standalone role with EVSE_MEMORY_MS=1000; each phase lasts SECONDS (default
// 15) and reports the highest live slots and chunk bytes after a full
// collection and the stack peak:
//
//   off          OCPP composed but `ocpp_enabled` false (the default)
//   connected    ocpp_enabled on, booted at the strict central system, no EV
//   transaction  the simulated EV plugged in, a free-vend transaction charging,
//                MeterValues every 5 s
//
// Not in `npm run bench` (it needs the SDK and takes a minute). On a tree
// without OCPP on Moddable it reports the first phase only.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CentralSystem } from '../../hosts/node/central-system';
import { freePort } from '../../test/node/gateway/broker';
import { memoryPeaks } from '../../test/node/moddable/instruments';
import { buildFirmware, esp32Creation, findSdk, simulatorTurn, startSimulator, startXvfb } from '../../test/node/moddable/sdk';

const SECONDS = Number(process.argv[2] ?? 15);
const { sdk, reason } = findSdk();
if (!sdk) throw new Error(reason);
const creation = esp32Creation();
const build = await buildFirmware(sdk, { instrumented: true, creation });
const release = await simulatorTurn();
const display = await startXvfb();
const cs = await CentralSystem.start({ password: 'bench-key' });
const dir = mkdtempSync(join(tmpdir(), 'evse-ocpp-phases-'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const sim = startSimulator(sdk, build, display, { EVSE_HTTP_PORT: String(port), EVSE_STATE_DIR: dir, EVSE_MEMORY_MS: '1000', EVSE_EV: 'none' });
const rows: string[] = [];
try {
  await sim.waitFor(/http: listening on port \d+/, 30_000);
  await sim.waitFor(/rapi: controller connected/, 30_000);
  const phase = async (name: string): Promise<void> => {
    await new Promise((r) => setTimeout(r, 2000));
    const from = sim.output().length;
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    // the instruments header is at the start of the output; the samples of this phase only
    const head = sim.output().slice(0, from).match(/^instruments key: .*$/m)?.[0] ?? '';
    const p = memoryPeaks(`${head}\n${sim.output().slice(from)}`, creation.heap.initial);
    if (p.aborts.length) throw new Error(`the VM aborted: ${p.aborts.join(' | ')}`);
    rows.push(`| ${name} | ${p.liveSlots} (${((100 * (p.liveSlots ?? 0)) / creation.heap.initial).toFixed(0)} %) | ${p.liveChunk} | ${p.stack} |`);
  };
  await phase('off');
  const status = (await (await fetch(url + '/status')).json()) as Record<string, unknown>;
  if (status.ocpp_status !== undefined) {
    const set = await fetch(url + '/config', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ocpp_enabled: true, ocpp_server: cs.url, ocpp_chargeBoxId: 'bench-1', ocpp_authkey: 'bench-key', ocpp_suspend_evse: true, ocpp_energize_plug: true }),
    });
    if (set.status !== 200) throw new Error(`POST /config: ${set.status}`);
    await cs.waitFor(() => cs.sent('bench-1', 'StatusNotification').length >= 2, 20_000, 'boot');
    await phase('connected');
    await cs.call('bench-1', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '5' });
    await fetch(url + '/sim/plug', { method: 'POST' });
    await cs.waitFor(() => cs.sent('bench-1', 'StatusNotification').some((e) => e.params.status === 'Charging'), 20_000, 'Charging');
    await phase('transaction');
    if (cs.failures.length) throw new Error(`schema failures: ${JSON.stringify(cs.failures)}`);
  }
} finally {
  await sim.stop();
  await cs.close();
  await display.close();
  release();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`OCPP phases in mcsim, ESP32 creation (${creation.heap.initial} slots, ${creation.chunk.initial} chunk bytes, stack ${creation.stack}), ${SECONDS} s each, peaks:`);
console.log('| phase | live slots after GC | live chunk bytes after GC | stack slots |\n| --- | ---: | ---: | ---: |');
for (const r of rows) console.log(r);

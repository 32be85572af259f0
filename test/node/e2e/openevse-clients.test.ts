// The clients users point at an OpenEVSE charger, run against `npm start` by
// tools/clients/run.mjs: every public call of python-openevse-http (Home
// Assistant's integration) with its effect checked, and OpenEVSE's own
// tests/integration/test_charging.py. Their code is not vendored here and CI
// has no internet, so this runs only when checkouts are given:
//
//   EVSE_PY_OPENEVSE_HTTP=<python-openevse-http checkout> \
//   EVSE_OPENEVSE_FIRMWARE=<openevse_esp32_firmware checkout> \
//   npx vitest run test/node/e2e/openevse-clients.test.ts

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './processes';

const http = process.env.EVSE_PY_OPENEVSE_HTTP;
const firmware = process.env.EVSE_OPENEVSE_FIRMWARE;
if (!http) console.log('openevse-clients: skipped python-openevse-http (set EVSE_PY_OPENEVSE_HTTP to a checkout of firstof9/python-openevse-http)');
if (!firmware) console.log('openevse-clients: skipped test_charging.py (set EVSE_OPENEVSE_FIRMWARE to a checkout of OpenEVSE/openevse_esp32_firmware)');

function runClients(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'tools/clients/run.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    p.once('exit', (code) => resolve({ code, out }));
  });
}

describe('OpenEVSE clients against npm start', () => {
  it.skipIf(!http)('every public call of python-openevse-http has its effect (EVSE_PY_OPENEVSE_HTTP)', async () => {
    const { code, out } = await runClients(['--openevse-http', http!]);
    const lines = out.split('\n');
    const failed = lines.filter((l) => l.startsWith('FAIL'));
    expect(failed, out).toEqual([]);
    expect(code, out).toBe(0);
    // 34 calls work; update_firmware (no OTA here) and firmware_check (GitHub) are checked or listed as N/A.
    const passed = lines.filter((l) => l.startsWith('PASS')).map((l) => l.split(/\s+/)[1]);
    expect(passed.length, out).toBeGreaterThanOrEqual(34);
    for (const call of ['ws_start()', 'set_current()', 'set_limit()', 'make_claim()', 'soc()', 'restart_evse()']) expect(passed).toContain(call);
  }, 300_000);

  it.skipIf(!firmware)("OpenEVSE's tests/integration/test_charging.py passes (EVSE_OPENEVSE_FIRMWARE)", async () => {
    const { code, out } = await runClients(['--openevse-firmware', firmware!]);
    expect(out).toMatch(/OpenEVSE test_charging\.py: \d+ passed, 0 failed/);
    expect(Number(out.match(/test_charging\.py: (\d+) passed/)![1])).toBeGreaterThanOrEqual(24);
    expect(code, out).toBe(0);
  }, 300_000);
});

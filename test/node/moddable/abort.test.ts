// A full heap ends the simulator visibly. An ESP32 restarts when its XS
// machine aborts; mcsim used to print "XS abort: memory full", unload the app
// and live on, so a charger whose heap ran full under load stopped answering
// HTTP, MQTT and OCPP with nothing else to show for it (the ESP32 profile runs
// with OCPP that never ended). The firmware now exits the process on an abort
// (hosts/moddable/simulator/abort.c, through the SDK's abort hook).
//
// The build is the firmware with the ESP32 creation numbers but a slot heap
// too small for the standalone role to boot (it needs about 2 300 live slots
// idle: docs/moddable.md), so the heap runs full at start, every time.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../gateway/broker';
import { buildFirmware, esp32Creation, sdkOrSkip, simulatorTurn, startSimulator, startXvfb, type Display, type Simulator } from './sdk';

const sdk = sdkOrSkip('abort on a full heap');
const HEAP_SLOTS = 2000;
/** abort.c's exit status (EX_SOFTWARE). */
const ABORT_EXIT = 70;

describe.skipIf(!sdk)('a full XS heap in the simulator', () => {
  const stops: (() => Promise<unknown> | unknown)[] = [];

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it(`ends the process with status ${ABORT_EXIT} and says why, instead of leaving it running and silent`, async () => {
    const creation = esp32Creation();
    expect(creation.heap.initial).toBeGreaterThan(HEAP_SLOTS);
    const build = await buildFirmware(sdk!, { creation: { ...creation, heap: { initial: HEAP_SLOTS, incremental: 0 } } });
    stops.push(await simulatorTurn());
    const display: Display = await startXvfb();
    stops.push(() => display.close());
    const dir = mkdtempSync(join(tmpdir(), 'evse-abort-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const sim: Simulator = startSimulator(sdk!, build, display, { EVSE_STATE_DIR: dir, EVSE_HTTP_PORT: String(await freePort()) });
    stops.push(() => sim.stop());
    const code = await Promise.race([sim.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 30_000))]);
    const output = sim.output();
    expect(output, 'the heap did not run full: the test build is not too small').toMatch(/XS abort: memory full/);
    expect(code, `mcsim still running 30 s after the abort; its last lines:\n${sim.tail(20)}`).toBe(ABORT_EXIT);
    expect(output).toMatch(/evse: the XS machine aborted \(memory full\): the simulator exits with status 70/);
  }, 600_000);
});

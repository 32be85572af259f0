// OCPP 1.6J on the real firmware: the Moddable build (ESP32-profile creation,
// instrumented release, `mcconfig -i -m -p lin`, shared with the black-box
// suite and the memory profile) in mcsim, against the schema-validating
// central system (ocpp-rpc strict mode, the official OCPP 1.6 schemas) this
// test starts on a free port. OCPP is switched on as a user would, through
// POST /config; the SDK's WebSocket client carries it (hosts/moddable/ocpp-socket.ts).
//
// Checked: off by default and connecting nowhere; Basic auth and boot
// accepted; StatusNotification for connectors 0 and 1; a free-vend
// transaction when the simulated EV is plugged in (/sim/plug), Charging,
// sampled MeterValues in Wh; RemoteStopTransaction → StopTransaction Remote;
// the settings survive a restart of the simulator, which reconnects by
// itself; no schema failure either way; the VM never aborts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expect } from '../../cases/expect';
import { CentralSystem } from '../../../hosts/node/central-system';
import { freePort } from '../gateway/broker';
import { memoryPeaks } from './instruments';
import { buildFirmware, esp32Creation, sdkOrSkip, simulatorTurn, startSimulator, startXvfb, type Build, type Display, type Simulator } from './sdk';

const sdk = sdkOrSkip('OCPP on the Moddable simulator');
const creation = esp32Creation();
const BOX = 'mcsim-ocpp-1';
const KEY = 'mcsim-key-1';

type Json = Record<string, any>;

async function getJson(url: string): Promise<Json> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(r.status).toBe(200);
  return (await r.json()) as Json;
}

async function post(url: string, body?: unknown): Promise<{ status: number; body: string }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: r.status, body: await r.text() };
}

describe.skipIf(!sdk)('OCPP 1.6J in the firmware on the Moddable simulator, against a strict central system', () => {
  let cs: CentralSystem;
  let display: Display;
  let build: Build;
  let release: (() => void) | undefined;
  let dir: string;
  let sim: Simulator | undefined;
  let url = '';

  const launch = async (): Promise<Simulator> => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    sim = startSimulator(sdk!, build, display, { EVSE_HTTP_PORT: String(port), EVSE_STATE_DIR: dir, EVSE_MEMORY_MS: '1000', EVSE_EV: 'none' });
    await sim.waitFor(/http: listening on port \d+/, 30_000);
    await sim.waitFor(/rapi: controller connected/, 30_000);
    return sim;
  };

  beforeAll(async () => {
    build = await buildFirmware(sdk!, { instrumented: true, creation });
    release = await simulatorTurn();
    display = await startXvfb();
    cs = await CentralSystem.start({ password: KEY });
    dir = mkdtempSync(join(tmpdir(), 'evse-mcsim-ocpp-'));
  }, 600_000);

  afterAll(async () => {
    await sim?.stop();
    await cs?.close();
    await display?.close();
    release?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const connector1 = () => cs.sent(BOX, 'StatusNotification').filter((e) => e.params.connectorId === 1).map((e) => e.params.status as string);

  it('is off by default: no connection, status "disabled"', async () => {
    await launch();
    const status = await getJson(url + '/status');
    expect(status.ocpp_status).toBe('disabled');
    expect(status.ocpp_connected).toBe(0);
    const config = await getJson(url + '/config');
    expect(config.ocpp_enabled).toBe(false);
    // a moment for anything that would connect by itself
    await new Promise((r) => setTimeout(r, 1500));
    expect(cs.clients.size).toBe(0);
    expect(cs.refused).toEqual([]);
  }, 60_000);

  it('switched on through /config: connects with Basic auth and subprotocol ocpp1.6, boots, reports connectors 0 and 1', async () => {
    const r = await post(url + '/config', {
      ocpp_enabled: true,
      ocpp_server: cs.url,
      ocpp_chargeBoxId: BOX,
      ocpp_authkey: KEY,
      ocpp_suspend_evse: true,
      ocpp_energize_plug: true,
    });
    expect(r.status).toBe(200);
    await cs.waitFor(() => cs.sent(BOX, 'StatusNotification').length >= 2, 20_000, 'two StatusNotifications from the simulator');
    const boot = cs.sent(BOX, 'BootNotification');
    expect(boot).toHaveLength(1);
    expect(boot[0].result?.status).toBe('Accepted');
    expect(boot[0].params.chargePointVendor).toBe('OpenEVSE');
    expect(boot[0].params.chargePointModel).toBe('evse-xs');
    const sn = cs.sent(BOX, 'StatusNotification').map((e) => [e.params.connectorId, e.params.status, e.params.errorCode]);
    expect(sn.slice(0, 2)).toEqual([
      [0, 'Available', 'NoError'],
      [1, 'Available', 'NoError'],
    ]);
    expect(cs.refused).toEqual([]);
    const status = await getJson(url + '/status');
    expect(status.ocpp_connected).toBe(1);
    expect(status.ocpp_status).toBe('Accepted');
    // the key is a secret: /config does not give it back
    expect(JSON.stringify(await getJson(url + '/config'))).not.toContain(KEY);
    expect(cs.failures).toEqual([]);
  }, 60_000);

  it('plug in → StartTransaction (free vend), Charging, sampled MeterValues; RemoteStop → StopTransaction Remote', async () => {
    const set = await cs.call(BOX, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '2' });
    expect(set.status).toBe('Accepted');
    const got = await cs.call(BOX, 'GetConfiguration', { key: ['MeterValueSampleInterval', 'NoSuchKey'] });
    expect(got.configurationKey).toEqual([{ key: 'MeterValueSampleInterval', readonly: false, value: '2' }]);
    expect(got.unknownKey).toEqual(['NoSuchKey']);

    expect((await post(url + '/sim/plug')).status).toBe(200);
    const start = (await cs.waitFor(() => cs.sent(BOX, 'StartTransaction')[0], 20_000, 'StartTransaction'))!;
    expect(start.params.connectorId).toBe(1);
    expect(start.params.idTag).toBe('DefaultIdTag');
    const tx = start.result!.transactionId as number;
    expect(typeof tx).toBe('number');
    await cs.waitFor(() => connector1().includes('Charging'), 20_000, 'connector 1 Charging');
    // between Available and Charging only the states of an EV waiting for energy
    const before = connector1().slice(1, connector1().indexOf('Charging'));
    expect(before.length).toBeGreaterThan(0);
    for (const st of before) expect(['Preparing', 'SuspendedEVSE', 'SuspendedEV']).toContain(st);
    const status = await getJson(url + '/status');
    expect(status.ocpp_transaction_id).toBe(tx);
    expect(status.state).toBe(3);

    // two sampled MeterValues of this transaction with a rising (or equal) energy register
    const sampled = () =>
      cs.sent(BOX, 'MeterValues').filter((e) => e.params.transactionId === tx && (e.params.meterValue as Json[]).some((m) => m.sampledValue.some((v: Json) => v.context === 'Sample.Periodic')));
    await cs.waitFor(() => sampled().length >= 2, 20_000, 'two periodic MeterValues');
    const energy = sampled().map((e) => {
      const v = (e.params.meterValue as Json[])[0].sampledValue.find((s: Json) => (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register');
      expect(v.unit).toBe('Wh');
      return Number(v.value);
    });
    expect(energy[1]).toBeGreaterThanOrEqual(energy[0]);
    const current = (sampled()[1].params.meterValue as Json[])[0].sampledValue.find((s: Json) => s.measurand === 'Current.Import');
    expect(Number(current.value)).toBeGreaterThan(5);

    const stop = await cs.call(BOX, 'RemoteStopTransaction', { transactionId: tx });
    expect(stop.status).toBe('Accepted');
    const stopped = (await cs.waitFor(() => cs.sent(BOX, 'StopTransaction')[0], 20_000, 'StopTransaction'))!;
    expect(stopped.params.transactionId).toBe(tx);
    expect(stopped.params.reason).toBe('Remote');
    expect(stopped.params.meterStop as number).toBeGreaterThanOrEqual(start.params.meterStart as number);
    await cs.waitFor(() => connector1().at(-1) === 'Finishing', 20_000, 'connector 1 Finishing (the EV is still plugged in)');
    const after = await getJson(url + '/status');
    expect(after.ocpp_transaction_id).toBe(null);
    expect(cs.failures).toEqual([]);
  }, 90_000);

  it('keeps its OCPP settings across a restart and reconnects by itself; the VM never aborted', async () => {
    const first = sim!;
    const peaks = memoryPeaks(first.output(), creation.heap.initial);
    console.log(
      `OCPP on the simulator (ESP32 creation), after a transaction: live heap peak ${peaks.liveSlots} slots of ${creation.heap.initial}, ` +
        `live chunks peak ${peaks.liveChunk} B of ${creation.chunk.initial}, stack peak ${peaks.stack} of ${creation.stack}`,
    );
    expect(peaks.aborts).toEqual([]);
    await first.stop();
    await cs.waitFor(() => !cs.clients.has(BOX), 10_000, 'the old connection closed');
    await launch();
    await cs.waitFor(() => cs.sent(BOX, 'BootNotification').length === 2 && cs.clients.has(BOX), 20_000, 'a second BootNotification');
    const config = await getJson(url + '/config');
    expect(config.ocpp_enabled).toBe(true);
    expect(config.ocpp_server).toBe(cs.url);
    expect(config.ocpp_chargeBoxId).toBe(BOX);
    expect(cs.refused).toEqual([]);
    expect(cs.failures).toEqual([]);
  }, 60_000);
});

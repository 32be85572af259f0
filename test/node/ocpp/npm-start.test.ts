// `npm start --ocpp URL`: the whole charger (simulated controller and EV,
// gateway over RAPI) joins the schema-validating central system. A plug-in
// starts a transaction that /status shows; the central system's 0 A profile
// pauses the real controller (SuspendedEVSE) and 10 A sets its pilot; the
// unplug stops the transaction; a controller fault is reported Faulted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expect } from '../../cases/expect';
import { CentralSystem } from '../../../hosts/node/central-system';
import { runCli, until, type CliProcess } from '../e2e/processes';

let cs: CentralSystem;
let cli: CliProcess;
let url: string;
let dir: string;
const ID = 'npm-start-1';

const get = async (path: string) => (await fetch(url + path)).json() as Promise<Record<string, unknown>>;
const post = async (path: string, body: unknown = {}) => (await fetch(url + path, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<Record<string, unknown>>;
const statuses = () => cs.sent(ID, 'StatusNotification').filter((e) => e.params.connectorId === 1).map((e) => e.params.status);

beforeAll(async () => {
  cs = await CentralSystem.start();
  dir = mkdtempSync(join(tmpdir(), 'ocpp-cli-'));
  cli = runCli(['--http-port', '0', '--no-mqtt', '--state-dir', dir, '--ocpp', cs.url, '--ocpp-id', ID]);
  url = (await cli.waitFor(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//))[1];
}, 30000);

afterAll(async () => {
  await cli?.interrupt();
  await cs?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start --ocpp against a schema-validating central system', () => {
  it('boots, reports Available; /status and /config show OCPP', async () => {
    await cs.waitFor(() => statuses().includes('Available'), 15000, 'Available');
    const boot = cs.sent(ID, 'BootNotification')[0].params;
    expect(boot.chargePointVendor).toBe('OpenEVSE');
    await until(async () => (await get('/status')).ocpp_connected === 1, 5000);
    const config = await get('/config');
    expect(config.ocpp_enabled).toBe(true);
    expect(config.ocpp_server).toBe(cs.url);
    expect(config.ocpp_chargeBoxId).toBe(ID);
  });

  it('plug-in: free vend starts a transaction, /status shows its id; the controller charges', async () => {
    await cs.call(ID, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });
    await post('/sim/plug');
    const start = await cs.waitFor(() => cs.sent(ID, 'StartTransaction')[0], 10000, 'StartTransaction');
    await until(async () => (await get('/status')).ocpp_transaction_id === start.result!.transactionId, 5000);
    await cs.waitFor(() => statuses().includes('Charging'), 10000, 'Charging');
    await cs.waitFor(() => cs.sent(ID, 'MeterValues').some((e) => JSON.stringify(e.params).includes('"Current.Import"')), 5000, 'MeterValues');
  });

  it('0 A TxDefaultProfile with ocpp_suspend_evse pauses the controller; 10 A sets the pilot; /status shows the limit', async () => {
    await post('/config', { ocpp_suspend_evse: true, ocpp_energize_plug: true });
    const profile = (limit: number) => ({
      connectorId: 1,
      csChargingProfiles: { chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] } },
    });
    expect(await cs.call(ID, 'SetChargingProfile', profile(0))).toEqual({ status: 'Accepted' });
    await cs.waitFor(() => statuses().at(-1) === 'SuspendedEVSE', 10000, 'SuspendedEVSE');
    const paused = await get('/status');
    expect(paused.ocpp_limit).toBe(0);
    expect(paused.state).toBe(254);
    expect(await cs.call(ID, 'SetChargingProfile', profile(10.4))).toEqual({ status: 'Accepted' });
    await cs.waitFor(() => statuses().at(-1) === 'Charging', 10000, 'Charging again');
    await until(async () => (await get('/status')).pilot === 10, 5000);
    const claims = (await get('/claims')) as unknown as { client: number; priority: number; charge_current?: number }[];
    expect(claims.find((c) => c.client === 0x00010009)).toEqual({ client: 0x00010009, priority: 1050, state: 'active', charge_current: 10, auto_release: false } as never);
    expect((await get('/status')).ocpp_limit).toBe(10.4);
  });

  it('unplug stops the transaction (EVDisconnected); a GFCI fault is Faulted/GroundFailure; no schema failure either way', async () => {
    await post('/sim/unplug');
    const stop = await cs.waitFor(() => cs.sent(ID, 'StopTransaction')[0], 10000, 'StopTransaction');
    expect(stop.params.reason).toBe('EVDisconnected');
    expect(stop.params.meterStop as number).toBeGreaterThanOrEqual(cs.sent(ID, 'StartTransaction')[0].params.meterStart as number);
    await post('/sim/plug');
    await post('/sim/fault/gfci');
    await cs.waitFor(() => cs.sent(ID, 'StatusNotification').some((e) => e.params.status === 'Faulted' && e.params.errorCode === 'GroundFailure'), 15000, 'Faulted');
    expect(cs.failures).toEqual([]);
  });
});

// The in-process charge point against the schema-validating central system
// (ocpp-rpc strict mode, official OCPP 1.6 schemas) over real WebSockets:
// every message of the core, smart-charging, remote-trigger and local-list
// profiles, both ways. Each test ends by asserting that the central system saw
// no schema failure in either direction.
import { afterEach, beforeEach, describe, it } from 'vitest';
import { expect } from '../../cases/expect';
import { CentralSystem } from '../../../hosts/node/central-system';
import { EvseState } from '../../../modules/j1772/evse-state';
import { charging, makeRig, type Rig } from './rig';

let cs: CentralSystem;
let rig: Rig | undefined;

beforeEach(async () => {
  cs = await CentralSystem.start({ password: 'secret-key-1' });
});

afterEach(async () => {
  rig?.cp.stop();
  rig = undefined;
  await cs.close();
});

async function booted(over = {}): Promise<Rig> {
  rig = makeRig(cs.url, over);
  rig.cp.start();
  await cs.waitFor(() => cs.sent('CP1', 'StatusNotification').length >= 2, 5000, 'two StatusNotifications');
  return rig;
}

function statuses(): string[] {
  return cs.sent('CP1', 'StatusNotification').filter((e) => e.params.connectorId === 1).map((e) => e.params.status as string);
}

describe('OCPP 1.6J core profile against a schema-validating central system', () => {
  it('connects to server/chargeBoxId with subprotocol ocpp1.6 and Basic auth, boots, reports connectors 0 and 1', async () => {
    const r = await booted();
    const boot = cs.sent('CP1', 'BootNotification');
    expect(boot).toHaveLength(1);
    expect(boot[0].params).toEqual({ chargePointVendor: 'evse-xs', chargePointModel: 'test', firmwareVersion: '0.1.0' });
    const sn = cs.sent('CP1', 'StatusNotification').map((e) => [e.params.connectorId, e.params.status, e.params.errorCode]);
    expect(sn).toEqual([
      [0, 'Available', 'NoError'],
      [1, 'Available', 'NoError'],
    ]);
    expect(r.cp.connected).toBe(true);
    expect(r.cp.config.get('HeartbeatInterval')).toBe('300');
    expect(cs.failures).toEqual([]);
  });

  it('a wrong authorisation key is refused and the charger keeps retrying', async () => {
    rig = makeRig(cs.url, { authKey: 'wrong' });
    rig.cp.start();
    await cs.waitFor(() => cs.refused.length >= 2, 5000, 'two refused attempts');
    expect(rig.cp.connected).toBe(false);
    expect(rig.logs.some((l) => l.includes('401'))).toBe(true);
  });

  it('Pending boot is retried after the interval the central system gave; nothing else is sent meanwhile', async () => {
    await cs.close();
    let n = 0;
    cs = await CentralSystem.start({ boot: () => (++n < 3 ? { status: n === 1 ? 'Pending' : 'Rejected', interval: 1 } : { status: 'Accepted', interval: 60 }) });
    rig = makeRig(cs.url);
    rig.cp.start();
    await cs.waitFor(() => cs.sent('CP1', 'StatusNotification').length >= 2, 6000, 'boot accepted');
    const boots = cs.sent('CP1', 'BootNotification');
    expect(boots).toHaveLength(3);
    expect(boots[1].at - boots[0].at).toBeGreaterThanOrEqual(900);
    expect(cs.log.findIndex((e) => e.action !== 'BootNotification')).toBe(3);
    expect(cs.failures).toEqual([]);
  });

  it('free vend: plug → StartTransaction, Charging, sampled MeterValues; unplug → StopTransaction EVDisconnected in Wh', async () => {
    const r = await booted();
    await cs.call('CP1', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });
    r.reading.plugged = true;
    r.reading.state = EvseState.B;
    await cs.waitFor(() => cs.sent('CP1', 'StartTransaction').length === 1, 3000, 'StartTransaction');
    charging(r.reading, 16);
    await cs.waitFor(() => statuses().includes('Charging'), 3000, 'Charging');
    r.reading.energyWh = 1500;
    await cs.waitFor(() => cs.sent('CP1', 'MeterValues').length >= 1, 3000, 'MeterValues');
    r.reading.energyWh = 2345.4;
    Object.assign(r.reading, { state: EvseState.A, plugged: false, currentA: 0, powerW: 0 });
    await cs.waitFor(() => cs.sent('CP1', 'StopTransaction').length === 1, 3000, 'StopTransaction');
    const start = cs.sent('CP1', 'StartTransaction')[0];
    expect(start.params.idTag).toBe('FREE');
    expect(start.params.meterStart).toBe(1000);
    const stop = cs.sent('CP1', 'StopTransaction')[0];
    expect(stop.params.meterStop).toBe(2345);
    expect(stop.params.reason).toBe('EVDisconnected');
    expect(stop.params.transactionId).toBe(start.result?.transactionId);
    const mv = cs.sent('CP1', 'MeterValues')[0].params;
    expect(mv.transactionId).toBe(start.result?.transactionId);
    const sv = (mv.meterValue as { sampledValue: { measurand: string; unit: string; value: string; context: string }[] }[])[0].sampledValue;
    expect(sv.map((s) => s.measurand)).toEqual(['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Current.Offered', 'Voltage', 'Temperature']);
    expect(sv[0]).toEqual({ value: '1500', context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh' });
    await cs.waitFor(() => statuses().at(-1) === 'Available', 3000, 'Available');
    // Free vend starts the transaction at the plug, so the EV that is not drawing yet is SuspendedEV.
    expect(statuses()).toEqual(['Available', 'SuspendedEV', 'Charging', 'Available']);
    expect(cs.failures).toEqual([]);
  });

  it('faults are Faulted with the OCPP error code of each controller fault', async () => {
    const r = await booted();
    const seen: [string, string][] = [];
    for (const [state, code] of [
      [EvseState.GfciFault, 'GroundFailure'],
      [EvseState.OverTemperature, 'HighTemperature'],
      [EvseState.OverCurrent, 'OverCurrentFailure'],
      [EvseState.StuckRelay, 'PowerSwitchFailure'],
      [EvseState.NoGround, 'GroundFailure'],
    ] as const) {
      r.reading.state = state;
      await cs.waitFor(() => cs.sent('CP1', 'StatusNotification').some((e) => e.params.errorCode === code && e.params.info !== undefined && !seen.some((s) => s[1] === e.params.info)), 3000, code);
      const last = cs.sent('CP1', 'StatusNotification').at(-1)!;
      seen.push([last.params.status as string, last.params.info as string]);
      expect(last.params.errorCode).toBe(code);
    }
    expect(seen.every((s) => s[0] === 'Faulted')).toBe(true);
    expect(cs.failures).toEqual([]);
  });
});

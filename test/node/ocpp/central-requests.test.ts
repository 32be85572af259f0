// Every request a central system can send this charger, each answered and
// schema-valid both ways (ocpp-rpc strict mode), and the charger-initiated
// Authorize and DataTransfer.
import { afterEach, beforeEach, describe, it } from 'vitest';
import { expect } from '../../cases/expect';
import { CentralSystem } from '../../../hosts/node/central-system';
import { EvseState } from '../../../modules/j1772/evse-state';
import { charging, makeRig, type Rig } from './rig';

let cs: CentralSystem;
let rig: Rig;

beforeEach(async () => {
  cs = await CentralSystem.start({ tags: { BLOCKED: 'Blocked' } });
  rig = makeRig(cs.url, { authAuto: false });
  rig.cp.start();
  await cs.waitFor(() => cs.sent('CP1', 'StatusNotification').length >= 2, 5000, 'boot');
});

afterEach(async () => {
  rig.cp.stop();
  await cs.close();
  expect(cs.failures).toEqual([]);
});

const call = (action: string, params: Record<string, unknown>) => cs.call('CP1', action, params);
const lastStatus = () => cs.sent('CP1', 'StatusNotification').filter((e) => e.params.connectorId === 1).at(-1)?.params.status;

describe('central system requests', () => {
  it('GetConfiguration lists the standard keys, read-only flags, unknown keys; ChangeConfiguration validates and persists', async () => {
    const all = (await call('GetConfiguration', {})).configurationKey as { key: string; readonly: boolean; value: string }[];
    const keys = all.map((k) => k.key);
    for (const k of ['HeartbeatInterval', 'MeterValueSampleInterval', 'ClockAlignedDataInterval', 'NumberOfConnectors', 'SupportedFeatureProfiles', 'LocalAuthListEnabled', 'ChargeProfileMaxStackLevel', 'AllowOfflineTxForUnknownId']) expect(keys).toContain(k);
    expect(keys).not.toContain('AuthorizationKey');
    expect(all.find((k) => k.key === 'NumberOfConnectors')).toEqual({ key: 'NumberOfConnectors', readonly: true, value: '1' });
    const some = await call('GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] });
    expect(some.unknownKey).toEqual(['NoSuchKey']);
    expect(await call('ChangeConfiguration', { key: 'NumberOfConnectors', value: '2' })).toEqual({ status: 'Rejected' });
    expect(await call('ChangeConfiguration', { key: 'NoSuchKey', value: '2' })).toEqual({ status: 'NotSupported' });
    expect(await call('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: 'ten' })).toEqual({ status: 'Rejected' });
    expect(await call('ChangeConfiguration', { key: 'MeterValuesSampledData', value: 'Voltage,Bogus' })).toEqual({ status: 'Rejected' });
    expect(await call('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '15' })).toEqual({ status: 'Accepted' });
    expect(await call('ChangeConfiguration', { key: 'AllowOfflineTxForUnknownId', value: 'false' })).toEqual({ status: 'Accepted' });
    expect(rig.settings.authOffline).toBe(false);
    expect(JSON.parse(rig.storage.read('ocpp.cfg')!)).toEqual({ HeartbeatInterval: '300', MeterValueSampleInterval: '15' });
  });

  it('RemoteStartTransaction authorises, the plug starts the transaction; RemoteStopTransaction stops it (Remote)', async () => {
    expect(await call('RemoteStartTransaction', { idTag: 'TAG1', connectorId: 1 })).toEqual({ status: 'Accepted' });
    await cs.waitFor(() => lastStatus() === 'Preparing', 3000, 'Preparing');
    expect(rig.cp.claim).toEqual({ state: 'disabled' });
    rig.reading.plugged = true;
    rig.reading.state = EvseState.B;
    const start = await cs.waitFor(() => cs.sent('CP1', 'StartTransaction')[0], 3000, 'start');
    expect(start.params.idTag).toBe('TAG1');
    await cs.waitFor(() => rig.cp.transactions.transactionId !== undefined, 3000, 'tx id');
    expect(rig.cp.claim).toEqual({ state: 'active' });
    expect(await call('RemoteStartTransaction', { idTag: 'TAG2' })).toEqual({ status: 'Rejected' });
    expect(await call('RemoteStopTransaction', { transactionId: 999 })).toEqual({ status: 'Rejected' });
    expect(await call('RemoteStopTransaction', { transactionId: start.result!.transactionId as number })).toEqual({ status: 'Accepted' });
    const stop = await cs.waitFor(() => cs.sent('CP1', 'StopTransaction')[0], 3000, 'stop');
    expect(stop.params.reason).toBe('Remote');
    await cs.waitFor(() => lastStatus() === 'Finishing', 3000, 'Finishing');
  });

  it('AuthorizeRemoteTxRequests: a blocked id tag is not started', async () => {
    await call('ChangeConfiguration', { key: 'AuthorizeRemoteTxRequests', value: 'true' });
    expect(await call('RemoteStartTransaction', { idTag: 'BLOCKED' })).toEqual({ status: 'Accepted' });
    await cs.waitFor(() => cs.sent('CP1', 'Authorize').length === 1, 3000, 'Authorize');
    rig.reading.plugged = true;
    await new Promise((r) => setTimeout(r, 200));
    expect(cs.sent('CP1', 'StartTransaction')).toHaveLength(0);
    expect(cs.sent('CP1', 'Authorize')[0].result).toEqual({ idTagInfo: { status: 'Blocked' } });
  });

  it('an id tag presented at the charger is authorised with Authorize; the same tag stops (Local)', async () => {
    const accepted = await new Promise<boolean>((res) => rig.cp.presentIdTag('CARD', res));
    expect(accepted).toBe(true);
    rig.reading.plugged = true;
    await cs.waitFor(() => cs.sent('CP1', 'StartTransaction').length === 1, 3000, 'start');
    await new Promise<boolean>((res) => rig.cp.presentIdTag('CARD', res));
    const stop = await cs.waitFor(() => cs.sent('CP1', 'StopTransaction')[0], 3000, 'stop');
    expect(stop.params.reason).toBe('Local');
  });

  it('ChangeAvailability: Inoperative → Unavailable; during a transaction Scheduled, applied at its end', async () => {
    expect(await call('ChangeAvailability', { connectorId: 0, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await cs.waitFor(() => lastStatus() === 'Unavailable', 3000, 'Unavailable');
    expect(await call('ChangeAvailability', { connectorId: 0, type: 'Operative' })).toEqual({ status: 'Accepted' });
    await cs.waitFor(() => lastStatus() === 'Available', 3000, 'Available');
    expect(await call('RemoteStartTransaction', { idTag: 'T' })).toEqual({ status: 'Accepted' });
    charging(rig.reading, 10);
    await cs.waitFor(() => cs.sent('CP1', 'StartTransaction').length === 1, 3000, 'start');
    expect(await call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).toEqual({ status: 'Scheduled' });
    expect(await call('ChangeAvailability', { connectorId: 2, type: 'Inoperative' })).toEqual({ status: 'Rejected' });
    Object.assign(rig.reading, { plugged: false, state: EvseState.A });
    await cs.waitFor(() => lastStatus() === 'Unavailable', 3000, 'Unavailable after the transaction');
  });

  it('Reset Soft and Hard: accepted, the transaction stops with the reset reason, then the host restarts', async () => {
    expect(await call('RemoteStartTransaction', { idTag: 'T' })).toEqual({ status: 'Accepted' });
    charging(rig.reading, 10);
    await cs.waitFor(() => cs.sent('CP1', 'StartTransaction').length === 1, 3000, 'start');
    expect(await call('Reset', { type: 'Hard' })).toEqual({ status: 'Accepted' });
    const stop = await cs.waitFor(() => cs.sent('CP1', 'StopTransaction')[0], 3000, 'stop');
    expect(stop.params.reason).toBe('HardReset');
    await cs.waitFor(() => rig.resets.length === 1, 3000, 'reset');
    expect(rig.resets).toEqual([true]);
    expect(await call('Reset', { type: 'Soft' })).toEqual({ status: 'Accepted' });
    await cs.waitFor(() => rig.resets.length === 2, 4000, 'soft reset');
    expect(rig.resets).toEqual([true, false]);
  });

  it('UnlockConnector NotSupported, DataTransfer UnknownVendorId, ClearCache Accepted, unknown actions NotImplemented', async () => {
    expect(await call('UnlockConnector', { connectorId: 1 })).toEqual({ status: 'NotSupported' });
    expect(await call('DataTransfer', { vendorId: 'com.example', messageId: 'x', data: 'y' })).toEqual({ status: 'UnknownVendorId' });
    expect(await call('ClearCache', {})).toEqual({ status: 'Accepted' });
    const e = await call('ReserveNow', { connectorId: 1, expiryDate: new Date().toISOString(), idTag: 'A', reservationId: 1 }).catch((x: { rpcErrorCode?: string }) => x.rpcErrorCode);
    expect(e).toBe('NotImplemented');
    const dt = await new Promise((res) => rig.cp.dataTransfer('org.openevse', 'ping', 'hello', res));
    expect(dt).toEqual({ status: 'Accepted', data: 'pong' });
    expect(cs.sent('CP1', 'DataTransfer')[0].params).toEqual({ vendorId: 'org.openevse', messageId: 'ping', data: 'hello' });
  });

  it('TriggerMessage: BootNotification, Heartbeat, StatusNotification, MeterValues; firmware/diagnostics NotImplemented', async () => {
    const before = cs.sent('CP1').length;
    for (const m of ['BootNotification', 'Heartbeat', 'MeterValues']) expect(await call('TriggerMessage', { requestedMessage: m })).toEqual({ status: 'Accepted' });
    expect(await call('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 })).toEqual({ status: 'Accepted' });
    expect(await call('TriggerMessage', { requestedMessage: 'FirmwareStatusNotification' })).toEqual({ status: 'NotImplemented' });
    expect(await call('TriggerMessage', { requestedMessage: 'Heartbeat', connectorId: 3 })).toEqual({ status: 'Rejected' });
    await cs.waitFor(() => cs.sent('CP1').length >= before + 4, 3000, 'triggered messages');
    const actions = cs.sent('CP1').slice(before).map((e) => e.action);
    expect(actions).toEqual(['BootNotification', 'Heartbeat', 'MeterValues', 'StatusNotification']);
    const mv = cs.sent('CP1', 'MeterValues')[0].params as { meterValue: { sampledValue: { context: string }[] }[] };
    expect(mv.meterValue[0].sampledValue[0].context).toBe('Trigger');
  });

  it('SendLocalList (Full, Differential, VersionMismatch) and GetLocalListVersion; the list authorises offline', async () => {
    expect(await call('GetLocalListVersion', {})).toEqual({ listVersion: 0 });
    expect(await call('SendLocalList', { listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }, { idTag: 'B', idTagInfo: { status: 'Blocked' } }] })).toEqual({ status: 'Accepted' });
    expect(await call('SendLocalList', { listVersion: 3, updateType: 'Differential', localAuthorizationList: [] })).toEqual({ status: 'VersionMismatch' });
    expect(await call('SendLocalList', { listVersion: 4, updateType: 'Differential', localAuthorizationList: [{ idTag: 'B' }, { idTag: 'C', idTagInfo: { status: 'Accepted' } }] })).toEqual({ status: 'Accepted' });
    expect(await call('GetLocalListVersion', {})).toEqual({ listVersion: 4 });
    expect(rig.cp.auth.listSize).toBe(2);
    await call('ChangeConfiguration', { key: 'AllowOfflineTxForUnknownId', value: 'false' });
    await call('ChangeConfiguration', { key: 'LocalAuthListEnabled', value: 'false' });
    expect(await call('GetLocalListVersion', {})).toEqual({ listVersion: -1 });
    expect(await call('SendLocalList', { listVersion: 5, updateType: 'Full' })).toEqual({ status: 'NotSupported' });
  });

});

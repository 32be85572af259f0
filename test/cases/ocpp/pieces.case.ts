// The pure parts of the OCPP charge point: framing, URL and Basic auth,
// configuration keys, connector status and fault codes, meter values, the
// claim rules of OpenEVSE's ocpp.cpp, local authorisation.
import { describe, it, expect } from '../harness';
import { base64, basicAuthorization, connectionUrl, decode, encodeCall, encodeError, encodeResult, isBadFrame } from '../../../modules/ocpp/framing';
import { Configuration } from '../../../modules/ocpp/configuration';
import { connectorStatus, FAULTS } from '../../../modules/ocpp/connector-status';
import { nextAligned, sampledValues } from '../../../modules/ocpp/meter-values';
import { ocppClaim } from '../../../modules/ocpp/claim';
import { Authorization, CACHE_SIZE } from '../../../modules/ocpp/authorization';
import { EvseState } from '../../../modules/j1772/evse-state';
import { MemoryStorage } from '../../../sim/memory-storage';

const reading = { state: EvseState.B, plugged: true, energyWh: 1234.4, powerW: 0, currentA: 0, offeredA: 32, voltageV: 240, temperatureC: 31.25 };

describe('OCPP-J framing', () => {
  it('encodes CALL, CALLRESULT and CALLERROR as OCPP-J arrays', () => {
    expect(encodeCall('7', 'Heartbeat', {})).toBe('[2,"7","Heartbeat",{}]');
    expect(encodeResult('7', { status: 'Accepted' })).toBe('[3,"7",{"status":"Accepted"}]');
    expect(encodeError('7', 'NotImplemented', 'no')).toBe('[4,"7","NotImplemented","no",{}]');
  });

  it('decodes the three message types', () => {
    expect(decode('[2,"a","Reset",{"type":"Hard"}]')).toEqual({ type: 2, id: 'a', action: 'Reset', payload: { type: 'Hard' } });
    expect(decode('[3,"a",{}]')).toEqual({ type: 3, id: 'a', payload: {} });
    expect(decode('[4,"a","GenericError","x",{}]')).toEqual({ type: 4, id: 'a', code: 'GenericError', description: 'x', details: {} });
  });

  it('bad frames become a reason and an OCPP error code, with the id when one could be read', () => {
    const cases: [string, string, string | undefined][] = [
      ['nope', 'FormationViolation', undefined],
      ['{"a":1}', 'FormationViolation', undefined],
      ['[2,"id","Reset"]', 'FormationViolation', 'id'],
      ['[2,"id","Reset",[]]', 'FormationViolation', 'id'],
      ['[9,"id",{}]', 'ProtocolError', 'id'],
      [`[2,"${'x'.repeat(37)}","Reset",{}]`, 'FormationViolation', undefined],
    ];
    for (const [text, code, id] of cases) {
      const m = decode(text);
      expect(isBadFrame(m)).toBe(true);
      expect((m as { code: string }).code).toBe(code);
      expect((m as { id?: string }).id).toBe(id);
    }
  });

  it('the URL is the server, a slash unless it ends in one, and the charge box id (as MicroOcpp forms it)', () => {
    expect(connectionUrl('ws://csms:8180/steve/websocket/CentralSystemService', 'openevse-1a2b')).toBe('ws://csms:8180/steve/websocket/CentralSystemService/openevse-1a2b');
    expect(connectionUrl('wss://cs.example/ocpp/', 'CP 1')).toBe('wss://cs.example/ocpp/CP%201');
  });

  it('Basic auth is the charge box id and the key, base64 of UTF-8 (RFC 4648 vectors)', () => {
    expect(base64('f')).toBe('Zg==');
    expect(base64('fo')).toBe('Zm8=');
    expect(base64('foobar')).toBe('Zm9vYmFy');
    expect(base64('é')).toBe('w6k=');
    expect(basicAuthorization('CP1', 'secret')).toBe('Basic Q1AxOnNlY3JldA==');
    expect(basicAuthorization('CP1', '')).toBeUndefined();
  });
});

describe('OCPP configuration keys', () => {
  it('read-only refused, unknown NotSupported, bad values Rejected, good ones persisted', () => {
    const storage = new MemoryStorage();
    const c = new Configuration({ storage });
    expect(c.change('NumberOfConnectors', '2')).toBe('Rejected');
    expect(c.change('Bogus', '1')).toBe('NotSupported');
    expect(c.change('HeartbeatInterval', '0')).toBe('Rejected');
    expect(c.change('LocalPreAuthorize', 'yes')).toBe('Rejected');
    expect(c.change('HeartbeatInterval', '120')).toBe('Accepted');
    expect(c.change('MeterValuesSampledData', 'Voltage, Current.Import')).toBe('Accepted');
    const again = new Configuration({ storage });
    expect(again.int('HeartbeatInterval')).toBe(120);
    expect(again.list('MeterValuesSampledData')).toEqual(['Voltage', 'Current.Import']);
  });

  it('the authorisation key is write-only; bound keys go to their owner', () => {
    let offline = 'true';
    const c = new Configuration({ storage: new MemoryStorage(), bindings: { AllowOfflineTxForUnknownId: { get: () => offline, set: (v) => (offline = v) } } });
    expect(c.change('AuthorizationKey', 'abcdef0123456789')).toBe('Accepted');
    expect(c.report(['AuthorizationKey']).unknownKey).toEqual(['AuthorizationKey']);
    expect(c.change('AllowOfflineTxForUnknownId', 'false')).toBe('Accepted');
    expect(offline).toBe('false');
  });
});

describe('connector status', () => {
  const s = { operative: true, transaction: false, finishing: false };
  it('Available, Preparing, Charging, SuspendedEV, SuspendedEVSE, Finishing, Unavailable', () => {
    expect(connectorStatus({ ...reading, plugged: false, state: EvseState.A }, s).status).toBe('Available');
    expect(connectorStatus(reading, s).status).toBe('Preparing');
    expect(connectorStatus({ ...reading, state: EvseState.C }, { ...s, transaction: true }).status).toBe('Charging');
    expect(connectorStatus(reading, { ...s, transaction: true }).status).toBe('SuspendedEV');
    expect(connectorStatus({ ...reading, state: EvseState.Sleeping }, { ...s, transaction: true }).status).toBe('SuspendedEVSE');
    expect(connectorStatus(reading, { ...s, finishing: true }).status).toBe('Finishing');
    expect(connectorStatus({ ...reading, plugged: false }, { ...s, operative: false }).status).toBe('Unavailable');
  });

  it('every controller fault state is Faulted with its OCPP error code', () => {
    const want: [number, string][] = [
      [EvseState.DiodeCheckFailed, 'GroundFailure'],
      [EvseState.GfciFault, 'GroundFailure'],
      [EvseState.NoGround, 'GroundFailure'],
      [EvseState.GfciTestFailed, 'GroundFailure'],
      [EvseState.StuckRelay, 'PowerSwitchFailure'],
      [EvseState.RelayClosureFault, 'PowerSwitchFailure'],
      [EvseState.OverTemperature, 'HighTemperature'],
      [EvseState.OverCurrent, 'OverCurrentFailure'],
      [EvseState.D, 'OtherError'],
    ];
    for (const [state, code] of want) expect(connectorStatus({ ...reading, state }, { ...s, transaction: true })).toEqual({ status: 'Faulted', errorCode: code, info: FAULTS[state].info });
    expect(Object.keys(FAULTS)).toHaveLength(want.length);
  });
});

describe('meter values', () => {
  it('measurands in OCPP units; absent sensors are left out', () => {
    const v = sampledValues({ ...reading, powerW: 3840.2, currentA: 16.04 }, ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'Temperature'], 'Sample.Periodic');
    expect(v.map((x) => [x.measurand, x.value, x.unit])).toEqual([
      ['Energy.Active.Import.Register', '1234', 'Wh'],
      ['Power.Active.Import', '3840', 'W'],
      ['Current.Import', '16', 'A'],
      ['Voltage', '240', 'V'],
      ['Temperature', '31.3', 'Celsius'],
    ]);
    expect(sampledValues({ ...reading, temperatureC: undefined }, ['Temperature'], 'Sample.Clock')).toEqual([]);
  });

  it('clock-aligned instants count from midnight UTC', () => {
    const midnight = Date.UTC(2026, 5, 1);
    expect(nextAligned(midnight + 1, 900)).toBe(midnight + 900000);
    expect(nextAligned(midnight + 900000, 900)).toBe(midnight + 1800000);
    // 7 h does not divide a day: the last interval ends at midnight.
    expect(nextAligned(midnight + 22 * 3600000, 7 * 3600)).toBe(midnight + 86400000);
  });
});

describe('OCPP claim (ocpp.cpp updateEvseClaim)', () => {
  const base = { permits: true, limit: undefined, minCurrent: 6, suspendEvse: true, energizePlug: true };
  it('a transaction energises, no transaction suspends', () => {
    expect(ocppClaim(base)).toEqual({ state: 'active' });
    expect(ocppClaim({ ...base, permits: false })).toEqual({ state: 'disabled' });
  });
  it('a limit below the minimum pauses; above, whole amps rounded down', () => {
    expect(ocppClaim({ ...base, limit: 5.9 })).toEqual({ state: 'disabled' });
    expect(ocppClaim({ ...base, limit: 0 })).toEqual({ state: 'disabled' });
    expect(ocppClaim({ ...base, limit: 6 })).toEqual({ state: 'active', charge_current: 6 });
    expect(ocppClaim({ ...base, limit: 12.9 })).toEqual({ state: 'active', charge_current: 12 });
  });
  it('ocpp_suspend_evse off: OCPP never pauses; ocpp_energize_plug off: never wakes, the limit still caps', () => {
    expect(ocppClaim({ ...base, permits: false, suspendEvse: false })).toBeUndefined();
    expect(ocppClaim({ ...base, limit: 0, suspendEvse: false })).toBeUndefined();
    expect(ocppClaim({ ...base, energizePlug: false })).toBeUndefined();
    expect(ocppClaim({ ...base, energizePlug: false, limit: 10 })).toEqual({ charge_current: 10 });
  });
});

describe('local authorisation', () => {
  const on = { listEnabled: true, cacheEnabled: true };
  it('the local list wins over the cache; expiry turns Accepted into Expired', () => {
    const a = new Authorization(new MemoryStorage());
    a.remember('A', { status: 'Accepted' });
    expect(a.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Blocked' } }, { idTag: 'B', idTagInfo: { status: 'Accepted', expiryDate: '2026-01-01T00:00:00Z' } }] })).toBe('Accepted');
    expect(a.lookup('A', Date.UTC(2025, 0, 1), on)).toBe('Blocked');
    expect(a.lookup('A', Date.UTC(2025, 0, 1), { ...on, listEnabled: false })).toBe('Accepted');
    expect(a.lookup('B', Date.UTC(2025, 0, 1), on)).toBe('Accepted');
    expect(a.lookup('B', Date.UTC(2026, 0, 2), on)).toBe('Expired');
    expect(a.lookup('C', 0, on)).toBeUndefined();
  });
  it('the cache is bounded, least recently confirmed first out; both survive a reboot', () => {
    const storage = new MemoryStorage();
    const a = new Authorization(storage);
    for (let i = 0; i <= CACHE_SIZE; i++) a.remember(`T${i}`, { status: 'Accepted' });
    a.update({ listVersion: 2, updateType: 'Full', localAuthorizationList: [{ idTag: 'L', idTagInfo: { status: 'Accepted' } }] });
    const b = new Authorization(storage);
    expect(b.lookup('T0', 0, on)).toBeUndefined();
    expect(b.lookup(`T${CACHE_SIZE}`, 0, on)).toBe('Accepted');
    expect(b.lookup('L', 0, on)).toBe('Accepted');
    expect(b.listVersion).toBe(2);
  });
  it('a malformed list changes nothing', () => {
    const a = new Authorization(new MemoryStorage());
    expect(a.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'A' }] })).toBe('Failed');
    expect(a.update({ listVersion: 1, updateType: 'Sideways' })).toBe('Failed');
    expect(a.listVersion).toBe(0);
  });
});

// The claims arbiter and the RAPI commands its target turns into, as
// OpenEVSE's evse_man.cpp defines them (priorities of evse_man.h).
import { describe, it, expect } from '../harness';
import { Claims, Client, MAX_CLAIMS, Priority, parseProperties, propertiesJson } from '../../../modules/gateway/claims';
import { commandsFor, targetCurrent } from '../../../modules/gateway/charge-target';
import { emptySnapshot, type EvseSnapshot } from '../../../modules/gateway/evse-snapshot';

function snapshot(over: Partial<EvseSnapshot>): EvseSnapshot {
  return { ...emptySnapshot(), state: 1, pilot: 32, minCurrent: 6, maxCurrentHard: 80, maxCurrentSoft: 32, ...over };
}

describe('claims arbiter', () => {
  it('each property goes to the highest-priority claim that sets it', () => {
    const c = new Claims();
    c.claim(7, Priority.Divert, { state: 'active', charge_current: 9 });
    c.claim(8, Priority.Api, { state: 'disabled' });
    c.claim(Client.Manual, Priority.Manual, { max_current: 20 });
    const t = c.target();
    expect(t.properties).toEqual({ state: 'disabled', charge_current: 9, max_current: 20 });
    expect(t.owners).toEqual({ state: 8, charge_current: 7, max_current: Client.Manual });
  });

  it('every max_current is a cap: the lowest wins whatever the priorities (the shaper and load sharing both cap)', () => {
    const c = new Claims();
    c.claim(Client.Manual, Priority.Manual, { max_current: 20 });
    c.claim(0x0001000c, Priority.Safety, { max_current: 24 });
    c.claim(0x0001000e, Priority.Safety, { max_current: 10 });
    expect(c.target().properties.max_current).toBe(10);
    expect(c.target().owners.max_current).toBe(0x0001000e);
    c.release(0x0001000e);
    expect(c.target().properties.max_current).toBe(20);
    expect(c.target().owners.max_current).toBe(Client.Manual);
  });

  it('on equal priority the earlier claim keeps the property', () => {
    const c = new Claims();
    c.claim(1, Priority.Api, { charge_current: 10 });
    c.claim(2, Priority.Api, { charge_current: 20 });
    expect(c.target().owners.charge_current).toBe(1);
  });

  it('the manual override is client 0x00010001 at priority 1000, the API 500', () => {
    expect(Client.Manual).toBe(65537);
    expect(Priority.Manual).toBe(1000);
    expect(Priority.Api).toBe(500);
  });

  it('holds at most 10 claims; a client replacing its own claim needs no new slot', () => {
    const c = new Claims();
    for (let i = 0; i < MAX_CLAIMS; i++) expect(c.claim(i, Priority.Api, { charge_current: 6 + i })).toBe(true);
    expect(MAX_CLAIMS).toBe(10);
    expect(c.claim(99, Priority.Api, {})).toBe(false);
    expect(c.claim(3, Priority.Api, { charge_current: 16 })).toBe(true);
    expect(c.get(3)?.properties.charge_current).toBe(16);
  });

  it('the version moves on every change and not on a repeat of the same claim', () => {
    const c = new Claims();
    c.claim(1, Priority.Api, { charge_current: 10 });
    const v = c.version;
    c.claim(1, Priority.Api, { charge_current: 10 });
    expect(c.version).toBe(v);
    c.claim(1, Priority.Api, { charge_current: 11 });
    expect(c.version).toBe(v + 1);
    expect(c.release(1)).toBe(true);
    expect(c.version).toBe(v + 2);
    expect(c.release(1)).toBe(false);
  });

  it('at the end of a session only auto_release claims go', () => {
    const c = new Claims();
    c.claim(1, Priority.Api, { charge_current: 10, auto_release: true });
    c.claim(2, Priority.Api, { charge_current: 12, auto_release: false });
    c.claim(3, Priority.Api, { charge_current: 14 });
    expect(c.releaseAutoRelease()).toEqual([1]);
    expect(c.list().map((x) => x.client)).toEqual([2, 3]);
  });
});

describe('claim properties as clients post them', () => {
  it('reads state, currents and auto_release; "clear" removes a property', () => {
    const r = parseProperties({ state: 'disabled', charge_current: 16, max_current: 'clear', auto_release: false, energy_limit: 5 }, { max_current: 20 });
    expect(r).toEqual({ ok: true, properties: { state: 'disabled', charge_current: 16, auto_release: false } });
  });

  it('cuts fractional amps as the firmware\'s integer fields do, refuses wrong types', () => {
    expect(parseProperties({ charge_current: 16.9 })).toEqual({ ok: true, properties: { charge_current: 16 } });
    for (const bad of [{ state: 'on' }, { charge_current: '16' }, { charge_current: -1 }, { max_current: null }, { auto_release: 1 }, [], null, 'x']) {
      expect(parseProperties(bad).ok).toBe(false);
    }
  });

  it('written back with absent properties left out and auto_release always present', () => {
    expect(propertiesJson({ charge_current: 10 })).toEqual({ charge_current: 10, auto_release: false });
    expect(propertiesJson({ state: 'active', max_current: 8, auto_release: true })).toEqual({ state: 'active', max_current: 8, auto_release: true });
  });
});

describe('the target as RAPI commands', () => {
  it('"disabled" pauses with $FS, or $FD when pause_uses_disabled; "active" wakes with $FE', () => {
    expect(commandsFor({ state: 'disabled' }, snapshot({}), { pauseUsesDisabled: false })).toEqual([{ command: 'FS', params: [] }]);
    expect(commandsFor({ state: 'disabled' }, snapshot({}), { pauseUsesDisabled: true })).toEqual([{ command: 'FD', params: [] }]);
    // Waking always writes the current first, even the one the snapshot shows: a heartbeat
    // acknowledgement while asleep restores the controller's configured current unseen.
    const wake = [{ command: 'SC', params: [32, 'V'] }, { command: 'FE', params: [] }];
    expect(commandsFor({ state: 'active' }, snapshot({ state: 254 }), { pauseUsesDisabled: false })).toEqual(wake);
    expect(commandsFor({ state: 'active' }, snapshot({ state: 255 }), { pauseUsesDisabled: false })).toEqual(wake);
    // already there: nothing to send
    expect(commandsFor({ state: 'disabled' }, snapshot({ state: 254 }), { pauseUsesDisabled: true })).toEqual([]);
    expect(commandsFor({ state: 'active' }, snapshot({ state: 3 }), { pauseUsesDisabled: false })).toEqual([]);
  });

  it('the pilot is min(charge_current, max_current, soft maximum), never below the minimum, set volatile', () => {
    expect(commandsFor({ charge_current: 10 }, snapshot({}), { pauseUsesDisabled: false })).toEqual([{ command: 'SC', params: [10, 'V'] }]);
    expect(targetCurrent({ charge_current: 40 }, snapshot({}))).toBe(32);
    expect(targetCurrent({ charge_current: 20, max_current: 12 }, snapshot({}))).toBe(12);
    expect(targetCurrent({ charge_current: 3 }, snapshot({}))).toBe(6);
    expect(targetCurrent({}, snapshot({}))).toBe(32);
    expect(commandsFor({}, snapshot({ pilot: 32 }), { pauseUsesDisabled: false })).toEqual([]);
  });

  it('resuming at a lower current writes the current before $FE, so the old pilot is never offered again', () => {
    expect(commandsFor({ state: 'active', max_current: 10 }, snapshot({ state: 254, pilot: 32 }), { pauseUsesDisabled: false })).toEqual([
      { command: 'SC', params: [10, 'V'] },
      { command: 'FE', params: [] },
    ]);
    expect(commandsFor({ state: 'disabled', max_current: 10 }, snapshot({ state: 3, pilot: 32 }), { pauseUsesDisabled: false })).toEqual([
      { command: 'FS', params: [] },
      { command: 'SC', params: [10, 'V'] },
    ]);
  });

  it('sends nothing while the controller is unknown', () => {
    expect(commandsFor({ state: 'disabled', charge_current: 8 }, snapshot({ state: 0 }), { pauseUsesDisabled: false })).toEqual([]);
    expect(targetCurrent({ charge_current: 8 }, snapshot({ maxCurrentSoft: 0, maxCurrentHard: 0 }))).toBeUndefined();
  });
});

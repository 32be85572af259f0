// POST /status as a data input (OpenEVSE handleStatusPost): the values, their
// validation and answers, and how long they stay fresh.
import { describe, it, expect } from '../harness';
import { Inputs, VOLTAGE_MAX_AGE } from '../../../modules/gateway/inputs';
import { VirtualClock } from '../../../sim/clock';
import type { Fragment } from '../../../modules/gateway/telemetry';
import { bodyJson } from './fixtures';
import { standalone } from './standalone';

describe('inputs table', () => {
  it('a value is fresh for its max age, then undefined; its reading and age remain', () => {
    const clock = new VirtualClock();
    const inputs = new Inputs(clock);
    inputs.set('voltage', 231);
    clock.advance(VOLTAGE_MAX_AGE);
    expect(inputs.get('voltage')).toBe(231);
    clock.advance(1);
    expect(inputs.get('voltage')).toBeUndefined();
    expect(inputs.reading('voltage')?.value).toBe(231);
    expect(inputs.age('voltage')).toBe(120);
  });

  it('solar never goes stale by itself, until a consumer asks for a window', () => {
    const clock = new VirtualClock();
    const inputs = new Inputs(clock);
    inputs.set('solar', 2500);
    clock.advance(3600000);
    expect(inputs.get('solar')).toBe(2500);
    inputs.setMaxAge('solar', 60000);
    expect(inputs.get('solar')).toBeUndefined();
  });
});

describe('POST /status', () => {
  it('takes solar and grid_ie, echoes the document, shows them in /status and sends them as events', async () => {
    const g = standalone();
    await g.run(2000);
    const events: Fragment[] = [];
    g.gateway.subscribe((f) => events.push(f));
    const r = await g.post('/status', { solar: 3000, grid_ie: -500 });
    expect(r.status).toBe(200);
    expect(bodyJson(r)).toEqual({ solar: 3000, grid_ie: -500 });
    const s = await g.status();
    expect(s.solar).toBe(3000);
    expect(s.grid_ie).toBe(-500);
    expect(events.some((e) => e.solar === 3000 && e.grid_ie === -500)).toBe(true);
    expect(g.gateway.inputs.reading('grid_ie')?.source).toBe('http');
  });

  it('answers 400 "Could not parse JSON" for a body that is not a JSON object', async () => {
    const g = standalone();
    await g.run(1000);
    for (const body of ['{solar:1', '[1]', '42', '']) {
      const r = await g.post('/status', body);
      expect(r.status).toBe(400);
      expect(bodyJson(r)).toEqual({ msg: 'Could not parse JSON' });
    }
  });

  it('a value of the wrong type is refused by name and nothing of that request is kept', async () => {
    const g = standalone();
    await g.run(1000);
    const r = await g.post('/status', { solar: 1200, shaper_live_pwr: 'lots' });
    expect(r.status).toBe(400);
    expect(bodyJson(r).msg).toContain('shaper_live_pwr');
    expect((await g.status()).solar).toBe(0);
  });

  it('shaper_live_pwr goes stale after 120 s (current_shaper_data_maxinterval)', async () => {
    const g = standalone();
    await g.run(1000);
    await g.post('/status', { shaper_live_pwr: 4200 });
    expect(g.gateway.inputs.get('shaper_live_pwr')).toBe(4200);
    expect((await g.status()).shaper_live_pwr).toBe(4200);
    await g.run(120001);
    expect(g.gateway.inputs.get('shaper_live_pwr')).toBeUndefined();
    expect((await g.status()).shaper_live_pwr).toBe(0);
  });

  it('a posted voltage is used for power for 120 s and sent to the controller ($SV)', async () => {
    const g = standalone();
    await g.run(2000);
    await g.post('/status', { voltage: 231.5 });
    await g.run(200);
    expect((await g.status()).voltage).toBe(231.5);
    expect(g.station.controller.millivolts).toBe(231500);
    const bad = await g.post('/status', { voltage: 30 });
    expect(bad.status).toBe(400);
    expect((await g.status()).voltage).toBe(231.5);
  });

  it('vehicle data is taken only with vehicle_data_src 3 (HTTP), then shown with vehicle_state_update 0', async () => {
    const g = standalone();
    await g.run(1000);
    const doc = { battery_level: 80, battery_range: 120, time_to_full_charge: 3600 };
    await g.post('/status', doc);
    expect((await g.status()).battery_level).toBeUndefined();
    expect((await g.post('/config', { vehicle_data_src: 3 })).status).toBe(200);
    const r = await g.post('/status', { ...doc, vehicle_charge_limit: 90 });
    expect(bodyJson(r).vehicle_state_update).toBe(0);
    const s = await g.status();
    expect([s.battery_level, s.battery_range, s.time_to_full_charge, s.vehicle_charge_limit]).toEqual([80, 120, 3600, 90]);
    expect(s.vehicle_state_update).toBe(0);
  });

  it('home battery values show once posted', async () => {
    const g = standalone();
    await g.run(1000);
    expect((await g.status()).home_battery_soc).toBeUndefined();
    await g.post('/status', { home_battery_soc: 55, home_battery_power: -1500 });
    const s = await g.status();
    expect(s.home_battery_soc).toBe(55);
    expect(s.home_battery_power).toBe(-1500);
  });
});

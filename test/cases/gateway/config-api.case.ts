// POST /config as OpenEVSE answers it (web_server_config.cpp): every setting a
// client sets is stored and read back; a key it does not know is ignored and
// the answer says "no change" rather than "done".
import { describe, it, expect } from '../harness';
import { bodyJson } from './fixtures';
import { standalone } from './standalone';

describe('POST /config', () => {
  it('stores what python-openevse-http sets: charge_mode, led_brightness, vehicle_data_src, mqtt_vehicle_range_miles', async () => {
    const g = standalone();
    await g.run(1000);
    const before = bodyJson(await g.http('GET', '/config'));
    expect([before.charge_mode, before.mqtt_vehicle_range_miles, before.vehicle_data_src]).toEqual(['fast', false, 0]);
    for (const doc of [{ charge_mode: 'eco' }, { led_brightness: 42 }, { vehicle_data_src: 3 }, { mqtt_vehicle_range_miles: true }]) {
      const r = await g.post('/config', doc);
      expect(r.status).toBe(200);
      expect(bodyJson(r).msg).toBe('done');
    }
    const after = bodyJson(await g.http('GET', '/config'));
    expect([after.charge_mode, after.led_brightness, after.vehicle_data_src, after.mqtt_vehicle_range_miles]).toEqual(['eco', 42, 3, true]);
    expect(after.config_version).toBe(before.config_version + 4);
    // and they survive a restart (a new gateway on the same storage)
    const again = standalone({ storage: g.storage });
    await again.run(500);
    expect(bodyJson(await again.http('GET', '/config')).led_brightness).toBe(42);
  });

  it('a key it does not know: 200 {"msg":"no change"}, nothing stored, the version unchanged', async () => {
    const g = standalone();
    await g.run(1000);
    const v = bodyJson(await g.http('GET', '/config')).config_version;
    const r = await g.post('/config', { no_such_setting: 1 });
    expect(r.status).toBe(200);
    expect(bodyJson(r)).toEqual({ config_version: v, msg: 'no change' });
    expect(bodyJson(await g.http('GET', '/config')).no_such_setting).toBeUndefined();
    // the same value again is no change either
    await g.post('/config', { led_brightness: 10 });
    expect(bodyJson(await g.post('/config', { led_brightness: 10 })).msg).toBe('no change');
  });

  it('a bad value is refused by name and nothing of the request is kept', async () => {
    const g = standalone();
    await g.run(1000);
    const r = await g.post('/config', { led_brightness: 99, charge_mode: 'turbo' });
    expect(r.status).toBe(400);
    expect(bodyJson(r).msg).toContain('charge_mode');
    expect(bodyJson(await g.http('GET', '/config')).led_brightness).toBe(128);
  });
});

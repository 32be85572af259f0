// Divert and the shaper over a real mosquitto broker and a real HTTP socket:
// the MQTT topics (divertmode/set, shaper/set, the mqtt_solar and
// mqtt_live_pwr inputs) and the requests python-openevse-http sends
// (`set_divert_mode`: POST /divertmode form divertmode=1|2; `set_shaper`:
// POST /shaper form shaper=0|1), with their effect on the simulated charger.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttConnect } from '../../../hosts/node/mqtt-connect';
import { ENERGY_FEATURES, STANDARD_FEATURES } from '../../../modules/gateway/features/standard';
import { Mosquitto } from '../gateway/broker';
import { cleanup, standalone, tempDir, until, type Rig } from '../gateway/rig';

let dir: string;
let broker: Mosquitto;
let rig: Rig;
let client: MqttClient;
const BASE = 'test/energy';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const status = async () => (await rig.get('/status')).json();

beforeAll(async () => {
  dir = tempDir('energy-mqtt');
  broker = await Mosquitto.start(dir);
  client = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId: 'energy-test' });
  await new Promise<void>((r) => client.once('connect', () => r()));
  rig = await standalone({ dir, gateway: { mqttConnect, features: [...STANDARD_FEATURES, ...ENERGY_FEATURES] } });
  await until(() => rig.gateway.monitor.ready && rig.gateway.monitor.snapshot.state === 1);
  const r = await rig.post(
    '/config',
    JSON.stringify({ mqtt_enabled: true, mqtt_server: '127.0.0.1', mqtt_port: broker.port, mqtt_topic: BASE, mqtt_solar: 'home/solar', mqtt_live_pwr: 'home/power', current_shaper_max_pwr: 6000 }),
  );
  expect(r.status).toBe(200);
  await until(() => rig.gateway.mqttConnected, 10000);
  rig.station.ev.plug();
  await until(async () => (await status()).state === 3, 10000);
}, 30000);

afterAll(async () => {
  await rig?.close();
  await client?.endAsync(true);
  await broker?.kill();
  cleanup(dir);
});

describe('divert and shaper over MQTT and HTTP', () => {
  it('python-openevse-http set_divert_mode("eco"): the form POST answers "Divert Mode changed" and the charger sleeps without sun', async () => {
    const r = await rig.post('/divertmode', 'divertmode=2', { headers: FORM });
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/divert/i);
    expect(text).toMatch(/changed/i);
    await until(async () => (await status()).state === 254, 10000);
    expect((await status()).divertmode).toBe(2);
  });

  it('solar on the mqtt_solar topic wakes it once the attack filter passes 6.5 A; divertmode/set 1 returns to full rate', async () => {
    // 20 A of sun, once a second: smoothed 20 × (1 − e^(−t/20)) passes 6.5 A after about 8 s.
    const sun = setInterval(() => client.publish('home/solar', String(20 * 240)), 1000);
    try {
      await until(async () => (await status()).state === 3, 20000, 200);
      const s = await status();
      expect(s.divert_active).toBe(true);
      expect(s.solar).toBe(4800);
      expect(s.pilot).toBe(20);
    } finally {
      clearInterval(sun);
    }
    await client.publishAsync(`${BASE}/divertmode/set`, '1');
    await until(async () => (await status()).divertmode === 1, 5000);
    await until(async () => (await status()).pilot === rig.gateway.monitor.snapshot.maxCurrentSoft, 5000);
  });

  it('python-openevse-http set_shaper(True) and MQTT shaper/set: live power on mqtt_live_pwr caps the pilot', async () => {
    const r = await rig.post('/shaper', 'shaper=1', { headers: FORM });
    expect(await r.text()).toBe('Current Shaper state changed');
    // The house draws 2 kW besides the EV: (6000 − 2000 − I·240)/240 + I = 16.67 A → 16 A.
    const meter = setInterval(() => client.publish('home/power', String(Math.round(2000 + (rig.gateway.monitor.snapshot.amp / 1000) * 240))), 1000);
    try {
      await until(async () => (await status()).pilot === 16, 15000, 200);
      expect((await status()).shaper_cur).toBeCloseTo(16.67, 1);
    } finally {
      clearInterval(meter);
    }
    await client.publishAsync(`${BASE}/shaper/set`, '0');
    await until(async () => (await status()).shaper === 0, 5000);
    expect((await rig.post('/shaper', 'shaper=2', { headers: FORM })).status).toBe(400);
  });
});

// Solar divert and the current shaper (docs/energy.md) from the outside only,
// on every host that has them: `npm start` (Node) and the Moddable firmware in
// the real simulator in both roles, with the device's feature list
// (hosts/moddable/simulator/features.ts, the same as esp32/features.ts). What a
// user and python-openevse-http do: the form POSTs (`set_divert_mode`:
// /divertmode divertmode=1|2; `set_shaper`: /shaper shaper=0|1), the MQTT
// command topics, and the grid readings on the topics named by mqtt_solar and
// mqtt_live_pwr. Each effect is seen in /status.

import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moddableHost, nodeHost, type ChargerHost } from './hosts';
import { chargerFromOutside, until } from './outside';

const hosts: ChargerHost[] = [nodeHost, moddableHost('standalone'), moddableHost('gateway')];
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
/** Each case waits on the charger a few times (up to 30 s for the divert filter in the simulator under load). */
const SLOW = { timeout: 120_000 };
/** Sun and the shaper's cap in amps: under the lowest maximum current of the hosts (the standalone simulator's 12 A; `npm start` has 32). */
const SUN_A = 11;
const HOUSE_A = 10;
const CAP_A = 9.5;

for (const host of hosts) {
  const why = host.unavailable();
  describe.skipIf(why !== undefined)(`solar divert and the current shaper from outside: ${host.name}`, () => {
    const outside = chargerFromOutside(host, {
      name: 'blackbox-energy',
      ready: { rapi_connected: 'the gateway sees the controller', mqtt_connected: 'the gateway connected to MQTT' },
      readyMs: 30_000,
    });
    const { json, send } = outside;
    const status = () => json('/status');
    const form = (path: string, body: string) => fetch(outside.charger.url + path, { method: 'POST', headers: FORM, body });
    /** Publishes `payload()` to `topic` once a second, as a grid meter does, until the returned stop is called. */
    const meter = (topic: string, payload: () => Promise<string> | string) => {
      const t = setInterval(async () => grid.publish(topic, await payload()), 1000);
      return () => clearInterval(t);
    };
    let grid: MqttClient;
    /** Watts of `amps` at the charger's line voltage now (/status voltage: what it reads moves with its state, and divert and the shaper divide by it). */
    const watts = async (amps: number) => Math.round(amps * (await status()).voltage);

    beforeAll(async () => {
      grid = mqtt.connect(`mqtt://127.0.0.1:${outside.broker.port}`);
      await new Promise<void>((resolve, reject) => {
        grid.once('error', reject);
        grid.once('connect', () => resolve());
      });
      const r = await send('POST', '/config', { mqtt_solar: 'home/solar', mqtt_live_pwr: 'home/power' });
      expect(r.status).toBe(200);
      // The new input topics reconnect the charger's MQTT client: the cases start once a reading on each arrives.
      for (const [topic, field] of [['home/solar', 'solar'], ['home/power', 'shaper_live_pwr']]) {
        const stop = meter(topic, () => '1');
        try {
          await until(async () => (await status())[field] === 1, 30_000, `a reading on ${topic} in /status ${field}`);
        } finally {
          stop();
        }
      }
      const sim = await fetch(outside.charger.simUrl + '/sim/ev', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ plugged: true, charge: true }) });
      expect(sim.status).toBe(200);
      await until(async () => (await status()).state === 3, 15_000, 'state C (3), charging');
    }, 90_000);

    afterAll(() => grid?.end(true));

    it('set_divert_mode("eco"): the form POST answers "Divert Mode changed" and the charger sleeps with no sun', SLOW, async () => {
      expect((await form('/divertmode', 'divertmode=3')).status).toBe(400);
      const r = await form('/divertmode', 'divertmode=2');
      expect(r.status).toBe(200);
      expect(await r.text()).toMatch(/divert mode changed/i);
      await until(async () => (await status()).state === 254, 15_000, 'state 254 (sleeping) with no sun');
      const s = await status();
      expect(s.divertmode).toBe(2);
      expect(s.divert_active).toBe(false);
    });

    it('sun on the mqtt_solar topic wakes it once the filter passes 6.5 A, at the sun\'s current; divertmode/set 1 gives full rate back', SLOW, async () => {
      // 11 A of sun: smoothed 11 × (1 − e^(−t/20 s)) passes 6.5 A after about 18 s.
      const stop = meter('home/solar', async () => String(await watts(SUN_A)));
      try {
        let last: Record<string, unknown> = {};
        const s = await until(async () => {
          const st = (last = await status());
          return st.state === 3 && st.divert_active === true && st;
        }, 60_000, 'charging on sun').catch((e: Error) => {
          const { state, pilot, solar, voltage, divertmode, divert_active, available_current, smoothed_available_current, divert_stale, shaper } = last;
          throw new Error(`${e.message}; /status: ${JSON.stringify({ state, pilot, solar, voltage, divertmode, divert_active, available_current, smoothed_available_current, divert_stale, shaper })}`);
        });
        expect(s.solar / s.voltage).toBeCloseTo(SUN_A, 0);
        await until(async () => (await status()).pilot === SUN_A, 30_000, `the pilot at the sun's ${SUN_A} A`);
      } finally {
        stop();
      }
      outside.seen.length = 0;
      await grid.publishAsync(`${outside.topic}/divertmode/set`, '1');
      await until(async () => (await status()).divertmode === 1, 10_000, 'divertmode 1 from MQTT');
      const max = (await json('/config')).max_current_soft;
      await until(async () => (await status()).pilot === max, 10_000, `the pilot back at ${max} A`);
      await until(() => outside.seen.some((m) => m.topic === `${outside.topic}/divertmode` && m.payload === '1'), 10_000, 'divertmode 1 published');
    });

    it('set_shaper(True) and MQTT shaper/set: the house\'s live power on mqtt_live_pwr caps the pilot', SLOW, async () => {
      // The shaper's budget: the house's draw plus CAP_A of headroom for the EV, at the voltage it is charging at.
      expect((await send('POST', '/config', { current_shaper_max_pwr: await watts(HOUSE_A + CAP_A) })).status).toBe(200);
      const r = await form('/shaper', 'shaper=1');
      expect(await r.text()).toBe('Current Shaper state changed');
      // The house draws HOUSE_A besides the EV: (budget − house − I·V)/V + I = CAP_A = 9.5 A → a 9 A pilot.
      const stop = meter('home/power', async () => {
        const st = await status();
        return String(Math.round((HOUSE_A + st.amp / 1000) * st.voltage));
      });
      try {
        await until(async () => (await status()).pilot === Math.floor(CAP_A), 30_000, `the pilot capped at ${Math.floor(CAP_A)} A`);
        // Within half an amp: the house reading is made from the EV current of a moment before.
        expect((await status()).shaper_cur).toBeCloseTo(CAP_A, 0);
      } finally {
        stop();
      }
      await grid.publishAsync(`${outside.topic}/shaper/set`, '0');
      await until(async () => (await status()).shaper === 0, 10_000, 'shaper off from MQTT');
      expect((await form('/shaper', 'shaper=2')).status).toBe(400);
      expect((await status()).shaper).toBe(0);
    });
  });
}

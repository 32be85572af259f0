// The black-box cases of the features beyond the standard list (session
// limit, weekly scheduler, MQTT claim, energy history, Home Assistant
// discovery), registered inside charger.test.ts's describe for each host:
// the same charger, from the outside only. Each effect is seen in /status
// (state 254 is "disabled" by a claim) or on the broker.

import mqtt from 'mqtt';
import { expect, it } from 'vitest';

export interface FeatureRig {
  json(path: string): Promise<Record<string, any>>;
  send(method: string, path: string, body?: unknown): Promise<Response>;
  /** POST to /sim/* where the host serves it (the controller's process in the gateway role). */
  sim(path: string, body?: unknown): Promise<Response>;
  /** The charger has all of FULL_FEATURES: the energy history and Home Assistant discovery too (not the device's standalone role: docs/moddable.md, "Features by role"). */
  full: boolean;
  until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, ms: number, what: string): Promise<T>;
  pub(topic: string, payload: string): Promise<void>;
  /** Every message seen on `<topic>/#`, in order. */
  seen(): readonly { topic: string; payload: string }[];
  topic(): string;
  brokerPort(): number;
}

/** Each case waits on the charger's state a few times (up to 15 s each in the simulator under load). */
const SLOW = { timeout: 90_000 };
const ALL_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export function featureCases(r: FeatureRig): void {
  /** The EV plugged and charging (state 3), as /sim/ev leaves it. */
  const charging = async () => {
    expect((await r.sim('/sim/ev', { plugged: true, charge: true })).status).toBe(200);
    await r.until(async () => (await r.json('/status')).state === 3, 15_000, 'state C (3), charging');
  };
  const disabled = (what: string) => r.until(async () => (await r.json('/status')).state === 254, 15_000, `state 254 (disabled) by ${what}`);
  const resumed = (what: string) => r.until(async () => (await r.json('/status')).state === 3, 15_000, `charging again after ${what}`);

  it('/limit: GET shows none, POST sets an energy limit that stops the charge when reached, DELETE lets it go on', SLOW, async () => {
    await charging();
    expect(await r.json('/limit')).toEqual({});
    expect((await r.send('POST', '/limit', { type: 'energy', value: 'lots' })).status).toBe(400);
    const before = (await r.json('/status')).limit_version;
    const set = await r.send('POST', '/limit', { type: 'energy', value: 1, auto_release: false });
    expect(set.status).toBe(201);
    expect(await r.json('/limit')).toEqual({ type: 'energy', value: 1, auto_release: false });
    const s = await r.json('/status');
    expect(s.limit).toBe(true);
    expect(s.limit_version).toBeGreaterThan(before);
    await disabled('the 1 Wh limit');
    expect((await r.send('DELETE', '/limit')).status).toBe(200);
    expect(await r.json('/limit')).toEqual({});
    await resumed('the limit was deleted');
  });

  it('/schedule: an event in force now disables the charger within seconds; GET, plan, PUT by id and DELETE', SLOW, async () => {
    await charging();
    const post = await r.send('POST', '/schedule', { id: 7, state: 'disabled', time: '00:00', days: ALL_DAYS });
    expect(post.status).toBe(200);
    await disabled('the schedule');
    const list = (await r.json('/schedule')) as unknown as Record<string, unknown>[];
    expect(list).toEqual([{ id: 7, state: 'disabled', time: '00:00:00', days: ALL_DAYS }]);
    expect((await r.json('/schedule/7')).state).toBe('disabled');
    const plan = await r.json('/schedule/plan');
    expect(plan.current_event.id).toBe(7);
    expect(plan.current_event.state).toBe('disabled');
    expect((await r.send('POST', '/schedule/8', { state: 'active', time: '25:00', days: ['monday'] })).status).toBe(400);
    expect((await r.json('/schedule')).length).toBe(1);
    expect((await r.send('DELETE', '/schedule/7')).status).toBe(200);
    expect((await r.send('DELETE', '/schedule/7')).status).toBe(404);
    expect(await r.json('/schedule')).toEqual([]);
    await resumed('the event was deleted');
  });

  it('MQTT claim/set disables the charger and the retained claim topic says so; release gives it back', SLOW, async () => {
    await charging();
    await r.pub(`${r.topic()}/claim/set`, '{"state":"disabled"}');
    await disabled('the MQTT claim');
    await r.until(() => r.seen().some((m) => m.topic === `${r.topic()}/claim` && JSON.parse(m.payload).state === 'disabled'), 10_000, 'the retained claim');
    await r.pub(`${r.topic()}/claim/set`, 'release');
    await resumed('the MQTT claim was released');
    await r.until(() => r.seen().findLast((m) => m.topic === `${r.topic()}/claim`)?.payload === '{"state":"null"}', 10_000, 'the claim topic emptied');
  });

  it('MQTT limit/set sets the session limit (GET /limit shows it) and clear removes it', SLOW, async () => {
    await r.pub(`${r.topic()}/limit/set`, '{"type":"time","value":600}');
    await r.until(async () => (await r.json('/limit')).type === 'time', 10_000, 'the limit from MQTT');
    expect(await r.json('/limit')).toEqual({ type: 'time', value: 600, auto_release: true });
    await r.pub(`${r.topic()}/limit/set`, 'clear');
    await r.until(async () => Object.keys(await r.json('/limit')).length === 0, 10_000, 'the limit cleared');
  });

  it.skipIf(!r.full)('counts energy while charging: total_day/week/month/year in /status and /energy/raw', SLOW, async () => {
    await charging();
    const s = await r.until(async () => {
      const st = await r.json('/status');
      return st.total_day > 0 && st;
    }, 20_000, 'total_day above 0 while charging');
    expect(s.total_week).toBeGreaterThanOrEqual(s.total_day);
    expect(s.total_month).toBeGreaterThanOrEqual(s.total_week);
    expect(s.total_year).toBeGreaterThanOrEqual(s.total_month);
    expect(typeof s.total_switches).toBe('number');
    const raw = await r.json('/energy/raw');
    expect(raw.period.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(raw.total_day).toBeGreaterThan(0);
    const daily = (await r.json('/energy/daily')) as unknown as { date: string; energy: number }[];
    expect(daily.at(-1)!.date).toBe(raw.period.day);
  });

  it.skipIf(!r.full)('Home Assistant discovery: a retained config for each entity on the broker, tied to the device', SLOW, async () => {
    const configs = new Map<string, string>();
    const ha = mqtt.connect(`mqtt://127.0.0.1:${r.brokerPort()}`);
    ha.on('message', (t, p, packet) => packet.retain && configs.set(t, p.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        ha.once('error', reject);
        ha.once('connect', () => ha.subscribe('homeassistant/#', (e) => (e ? reject(e) : resolve())));
      });
      await r.until(() => configs.size >= 12, 15_000, '12 retained discovery documents');
      const id = (await r.json('/config')).wifi_serial;
      for (const [t, p] of configs) {
        expect(t).toMatch(new RegExp(`^homeassistant/(sensor|binary_sensor|switch|number)/${id}/[a-z_]+/config$`));
        const d = JSON.parse(p);
        expect(d.unique_id).toBe(`${id}_${t.split('/')[3]}`);
        expect(d.device.identifiers).toEqual([`openevse_${id}`]);
        expect(d.state_topic.startsWith(`${r.topic()}/`)).toBe(true);
      }
      expect(JSON.parse(configs.get(`homeassistant/number/${id}/charge_current/config`)!).command_topic).toBe(`${r.topic()}/override/set`);
    } finally {
      ha.end(true);
    }
  });
}

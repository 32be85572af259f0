// The command and retained topics of OpenEVSE's mqtt.cpp against a real
// mosquitto: limit/set, schedule/set, schedule/clear, override/set,
// claim/set and the retained limit, schedule, override and claim documents;
// RAPI over MQTT with correlation ids.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttConnect } from '../../../hosts/node/mqtt-connect';
import { Mosquitto } from './broker';
import { cleanup, standalone, tempDir, until, type Rig } from './rig';

const TOPIC = 'topics/evse';
let dir: string;
let broker: Mosquitto;
let rig: Rig;
let sub: MqttClient;
const seen: { topic: string; payload: string; retain: boolean }[] = [];
const last = (topic: string) => [...seen].reverse().find((m) => m.topic === topic);

async function client(id: string, onMessage?: (topic: string, payload: string, retain: boolean) => void): Promise<MqttClient> {
  const c = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId: id, reconnectPeriod: 0 });
  if (onMessage) c.on('message', (t, p, packet) => onMessage(t, p.toString(), packet.retain));
  await new Promise<void>((r) => c.once('connect', () => r()));
  return c;
}

beforeAll(async () => {
  dir = tempDir('mqtt-topics');
  broker = await Mosquitto.start(dir);
  sub = await client('topics-sub', (topic, payload, retain) => seen.push({ topic, payload, retain }));
  await sub.subscribeAsync(`${TOPIC}/#`);
  rig = await standalone({ dir, gateway: { mqttConnect } });
  await until(() => rig.gateway.monitor.ready && rig.gateway.monitor.snapshot.state === 1);
  await rig.post('/config', JSON.stringify({ mqtt_enabled: true, mqtt_server: '127.0.0.1', mqtt_port: broker.port, mqtt_topic: TOPIC }));
  await until(() => rig.gateway.mqttConnected, 10000);
}, 30000);

afterAll(async () => {
  await rig?.close();
  await sub?.endAsync(true);
  await broker?.kill();
  cleanup(dir);
});

describe('MQTT command and retained topics', () => {
  it('publishes the retained limit, schedule, override and claim documents on connect', async () => {
    await until(() => ['limit', 'schedule', 'override', 'claim'].every((t) => last(`${TOPIC}/${t}`)));
    expect(last(`${TOPIC}/limit`)!.payload).toBe('{}');
    expect(last(`${TOPIC}/schedule`)!.payload).toBe('[]');
    expect(last(`${TOPIC}/override`)!.payload).toBe('{"state":"null"}');
    expect(last(`${TOPIC}/claim`)!.payload).toBe('{"state":"null"}');
    // retained: a client that comes later still gets them
    const got: string[] = [];
    const late = await client('topics-late', (t, _p, retain) => retain && got.push(t));
    await late.subscribeAsync(`${TOPIC}/+`);
    await until(() => ['limit', 'schedule', 'override', 'claim'].every((t) => got.includes(`${TOPIC}/${t}`)));
    await late.endAsync(true);
  });

  it('limit/set sets the limit (as POST /limit) and `clear` clears it; the retained limit follows', async () => {
    await sub.publishAsync(`${TOPIC}/limit/set`, '{"type":"energy","value":7000}');
    await until(async () => (await (await rig.get('/limit')).json()).value === 7000);
    await until(() => last(`${TOPIC}/limit`)?.payload === '{"type":"energy","value":7000,"auto_release":true}');
    // retained on the broker: a new subscriber is handed it
    const kept: string[] = [];
    const late = await client('topics-late-limit', (_t, p, retain) => retain && kept.push(p));
    await late.subscribeAsync(`${TOPIC}/limit`);
    await until(() => kept.includes('{"type":"energy","value":7000,"auto_release":true}'));
    await late.endAsync(true);
    await sub.publishAsync(`${TOPIC}/limit/set`, 'clear');
    await until(() => last(`${TOPIC}/limit`)?.payload === '{}');
    expect(await (await rig.get('/limit')).json()).toEqual({});
  });

  it('schedule/set adds events, schedule/clear removes one; the retained schedule follows', async () => {
    await sub.publishAsync(`${TOPIC}/schedule/set`, '[{"id":4,"state":"active","time":"01:30","days":["monday","tuesday"]},{"id":5,"state":"disabled","time":"07:00","days":["monday"]}]');
    await until(() => JSON.parse(last(`${TOPIC}/schedule`)?.payload ?? '[]').length === 2);
    expect((await (await rig.get('/schedule')).json()).map((e: { id: number }) => e.id)).toEqual([4, 5]);
    await sub.publishAsync(`${TOPIC}/schedule/clear`, '4');
    await until(() => JSON.parse(last(`${TOPIC}/schedule`)!.payload).length === 1);
    await sub.publishAsync(`${TOPIC}/schedule/clear`, '5');
    await until(() => last(`${TOPIC}/schedule`)!.payload === '[]');
  });

  it('claim/set files the MQTT client claim at 500, `release` lets it go; override/set as /override', async () => {
    await sub.publishAsync(`${TOPIC}/claim/set`, '{"charge_current":11}');
    await until(() => rig.station.controller.pilotAmps === 11);
    const claims = await (await rig.get('/claims')).json();
    expect(claims).toContainEqual({ client: 0x0001000b, priority: 500, charge_current: 11, auto_release: false });
    await until(() => last(`${TOPIC}/claim`)?.payload === '{"charge_current":11,"auto_release":false}');
    await sub.publishAsync(`${TOPIC}/override/set`, '{"charge_current":9}');
    await until(() => rig.station.controller.pilotAmps === 9); // manual 1000 over MQTT 500
    await until(() => JSON.parse(last(`${TOPIC}/override`)!.payload).charge_current === 9);
    await sub.publishAsync(`${TOPIC}/override/set`, 'clear');
    await until(() => rig.station.controller.pilotAmps === 11);
    await sub.publishAsync(`${TOPIC}/claim/set`, 'release');
    await until(() => last(`${TOPIC}/claim`)?.payload === '{"state":"null"}');
    expect(await (await rig.get('/claims')).json()).toEqual([]);
  });

  it('RAPI with correlation ids: two clients asking at once each get their own reply; the plain form still works', async () => {
    const replies: Record<string, string[]> = { a: [], b: [] };
    const a = await client('rapi-a', (_t, p) => replies.a.push(p));
    const b = await client('rapi-b', (_t, p) => replies.b.push(p));
    await a.subscribeAsync(`${TOPIC}/rapi/out`);
    await b.subscribeAsync(`${TOPIC}/rapi/out`);
    await Promise.all([a.publishAsync(`${TOPIC}/rapi/in/$GV`, '|a-1'), b.publishAsync(`${TOPIC}/rapi/in/$GC`, '|b-1')]);
    await until(() => replies.a.some((r) => r.endsWith('|a-1')) && replies.b.some((r) => r.endsWith('|b-1')));
    const mine = (list: string[], id: string) => list.find((r) => r.endsWith(`|${id}`))!;
    expect(mine(replies.a, 'a-1')).toMatch(/^\$OK 8\.2\.3 .*\|a-1$/);
    expect(mine(replies.b, 'b-1')).toMatch(/^\$OK \d+ \d+ \d+ \d+.*\|b-1$/);
    // parameters and an id together
    await a.publishAsync(`${TOPIC}/rapi/in/$SC`, '12 V|a-2');
    await until(() => replies.a.some((r) => r.endsWith('|a-2')));
    expect(mine(replies.a, 'a-2')).toMatch(/^\$OK 12.*\|a-2$/);
    // the plain form: no id, the raw reply
    const n = replies.a.length;
    await a.publishAsync(`${TOPIC}/rapi/in/$GE`, '');
    await until(() => replies.a.length > n);
    expect(replies.a[n]).toMatch(/^\$OK \d+ [0-9A-F]{4}\^[0-9A-F]{2}$/);
    await a.endAsync(true);
    await b.endAsync(true);
  });

  it('Home Assistant discovery: retained configs for every entity, available on the announce topic; the switch and number command the charger; off removes them', async () => {
    const configs = new Map<string, string>();
    const ha = await client('ha-late', (t, p) => configs.set(t, p));
    await ha.subscribeAsync('homeassistant/#');
    await until(() => configs.size >= 12);
    const docs = [...configs.entries()].map(([t, p]) => ({ t, d: JSON.parse(p) }));
    const announce = (await (await rig.get('/config')).json()).mqtt_announce_topic;
    for (const { t, d } of docs) {
      expect(t).toMatch(/^homeassistant\/(sensor|binary_sensor|switch|number)\/a1b2c3d4e5f6\/[a-z_]+\/config$/);
      expect(d.unique_id).toBe(`a1b2c3d4e5f6_${t.split('/')[3]}`);
      expect(d.device.identifiers).toEqual(['openevse_a1b2c3d4e5f6']);
      expect(d.availability).toEqual([{ topic: announce, value_template: '{{ value_json.state }}', payload_available: 'connected', payload_not_available: 'disconnected' }]);
      expect(d.state_topic.startsWith(`${TOPIC}/`)).toBe(true);
    }
    const by = (object: string) => docs.find((x) => x.t.split('/')[3] === object)!.d;
    expect(by('current')).toMatchObject({ state_topic: `${TOPIC}/amp`, unit_of_measurement: 'A', device_class: 'current' });
    expect(by('total_energy')).toMatchObject({ unit_of_measurement: 'kWh', device_class: 'energy', state_class: 'total_increasing' });
    // what Home Assistant would send: the number's command_template rendered with 10, the switch's payload_off
    const number = by('charge_current');
    await sub.publishAsync(number.command_topic, number.command_template.replace('{{ value | int }}', '10'));
    await until(() => rig.station.controller.pilotAmps === 10);
    const sw = by('enable');
    await sub.publishAsync(sw.command_topic, sw.payload_off);
    await until(() => last(`${TOPIC}/status`)?.payload === sw.state_off);
    await sub.publishAsync(`${TOPIC}/override/set`, 'clear');
    await until(() => rig.station.controller.pilotAmps !== 10);
    // switched off: the retained configs are emptied, so a new subscriber finds none
    expect((await rig.post('/config', JSON.stringify({ mqtt_ha_discovery: false }))).status).toBe(200);
    await until(() => [...configs.values()].every((p) => p === '') || configs.size === 0);
    const after: string[] = [];
    const later = await client('ha-later', (t, p, retain) => retain && p !== '' && after.push(t));
    await later.subscribeAsync('homeassistant/#');
    await new Promise((r) => setTimeout(r, 500));
    expect(after).toEqual([]);
    await later.endAsync(true);
    await ha.endAsync(true);
  });
});

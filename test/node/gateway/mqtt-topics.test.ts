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
});

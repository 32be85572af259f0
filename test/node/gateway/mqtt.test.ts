// MQTT against a real mosquitto broker started by the test, with the
// simulated station on the RAPI link: announce and last will, per-field
// telemetry, RAPI over MQTT, mqtt_vrms, reconnect after the broker dies,
// restart on a config change.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mqttConnect } from '../../../hosts/node/mqtt-connect';
import { Mosquitto, Relay } from './broker';
import { cleanup, standalone, tempDir, until, type Rig } from './rig';

interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

let dir: string;
let broker: Mosquitto;
let relay: Relay;
let rig: Rig;
let sub: MqttClient;
const seen: Seen[] = [];

const TOPIC = 'test/evse';
const ANNOUNCE = 'test/announce/e5f6';

function last(topic: string): Seen | undefined {
  for (let i = seen.length - 1; i >= 0; i--) if (seen[i].topic === topic) return seen[i];
  return undefined;
}

async function subscriber(): Promise<MqttClient> {
  const c = mqtt.connect({ host: '127.0.0.1', port: broker.port, reconnectPeriod: 200, clientId: 'test-sub' });
  c.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain, at: Date.now() }));
  await new Promise<void>((r) => c.once('connect', () => r()));
  c.on('connect', () => c.subscribe('#'));
  await c.subscribeAsync('#');
  return c;
}

function publish(topic: string, payload: string): Promise<unknown> {
  return sub.publishAsync(topic, payload);
}

beforeAll(async () => {
  dir = tempDir('mqtt');
  broker = await Mosquitto.start(dir);
  relay = await Relay.start(broker.port);
  sub = await subscriber();
  rig = await standalone({ dir, gateway: { mqttConnect, mqttPeriod: 2000 } });
  await until(() => rig.gateway.monitor.ready && rig.gateway.monitor.snapshot.state === 1);
  const res = await rig.post(
    '/config',
    JSON.stringify({
      mqtt_enabled: true,
      mqtt_protocol: 'mqtt',
      mqtt_server: '127.0.0.1',
      mqtt_port: relay.port,
      mqtt_topic: TOPIC,
      mqtt_user: 'mqtt-user',
      mqtt_pass: 'mqtt-secret-pass',
      mqtt_announce_topic: ANNOUNCE,
      mqtt_vrms: 'test/vrms',
      mqtt_reject_unauthorized: true,
    }),
  );
  expect(res.status).toBe(200);
  await until(() => rig.gateway.mqttConnected, 10000);
}, 30000);

afterAll(async () => {
  await rig?.close();
  await sub?.endAsync(true);
  await relay?.close();
  await broker?.kill();
  cleanup(dir);
});

describe('MQTT with a real broker', () => {
  it('announces itself retained: {"state":"connected","id","name","mqtt","http"}', async () => {
    await until(() => last(ANNOUNCE) !== undefined);
    const a = JSON.parse(last(ANNOUNCE)!.payload);
    expect(a).toEqual({ state: 'connected', id: 'a1b2c3d4e5f6', name: 'openevse-e5f6', mqtt: TOPIC, http: 'http://127.0.0.1/' });
    // a late subscriber gets it because it is retained
    const late = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId: 'late' });
    const got = await new Promise<{ payload: string; retain: boolean }>((resolve) => {
      late.on('message', (_t, p, packet) => resolve({ payload: p.toString(), retain: packet.retain }));
      late.subscribe(ANNOUNCE);
    });
    await late.endAsync();
    expect(got.retain).toBe(true);
    expect(JSON.parse(got.payload).state).toBe('connected');
    expect((await (await rig.get('/status')).json()).mqtt_connected).toBe(1);
  });

  it('publishes every status field to <topic>/<field>, and again every period', async () => {
    await until(() => seen.filter((s) => s.topic === `${TOPIC}/amp`).length >= 2, 6000);
    for (const f of ['amp', 'voltage', 'pilot', 'wh', 'state', 'freeram', 'srssi', 'temp1', 'session_energy', 'total_energy']) {
      expect(last(`${TOPIC}/${f}`), f).toBeDefined();
    }
    expect(last(`${TOPIC}/state`)!.payload).toBe('1');
    expect(last(`${TOPIC}/voltage`)!.payload).toBe('240');
  });

  it('RAPI over MQTT: <topic>/rapi/in/$GV → <topic>/rapi/out, and $SC with the payload 13', async () => {
    const n = seen.length;
    await publish(`${TOPIC}/rapi/in/$GV`, '');
    await until(() => seen.slice(n).some((s) => s.topic === `${TOPIC}/rapi/out`));
    expect(last(`${TOPIC}/rapi/out`)!.payload).toMatch(/^\$OK 8\.2\.3 5\.2\.1\^2F$/);
    const m = seen.length;
    await publish(`${TOPIC}/rapi/in/$SC`, '13');
    await until(() => seen.slice(m).some((s) => s.topic === `${TOPIC}/rapi/out`));
    expect(last(`${TOPIC}/rapi/out`)!.payload).toMatch(/^\$OK 13\^[0-9A-F]{2}$/);
    expect(rig.station.controller.pilotAmps).toBe(13);
    await publish(`${TOPIC}/rapi/in/$SC`, '32');
  });

  it('override over MQTT: <topic>/override/set JSON pauses, "clear" releases; <topic>/override is retained', async () => {
    // on connect: no override
    expect(last(`${TOPIC}/override`)?.payload).toBe('{"state":"null"}');
    let n = seen.length;
    await publish(`${TOPIC}/override/set`, '{"state":"disabled","charge_current":8}');
    await until(() => rig.station.controller.state === 254 && rig.station.controller.pilotAmps === 8, 5000);
    await until(() => seen.slice(n).some((s) => s.topic === `${TOPIC}/override`));
    expect(JSON.parse(last(`${TOPIC}/override`)!.payload)).toEqual({ state: 'disabled', charge_current: 8, auto_release: true });
    // retained: a client that subscribes later still gets it
    const late = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId: 'test-late' });
    try {
      const got = new Promise<{ payload: string; retain: boolean }>((r) => late.on('message', (_t, p, packet) => r({ payload: p.toString(), retain: packet.retain })));
      await late.subscribeAsync(`${TOPIC}/override`);
      const m = await got;
      expect(m.retain).toBe(true);
      expect(JSON.parse(m.payload).state).toBe('disabled');
    } finally {
      await late.endAsync(true);
    }
    await until(() => last(`${TOPIC}/status`)?.payload === 'disabled', 3000);
    n = seen.length;
    await publish(`${TOPIC}/override/set`, 'clear');
    await until(() => rig.station.controller.state === 1, 5000);
    await until(() => seen.slice(n).some((s) => s.topic === `${TOPIC}/override` && s.payload === '{"state":"null"}'));
    // toggle: the charger is active, so the toggle pauses it; again releases
    await publish(`${TOPIC}/override/set`, 'toggle');
    await until(() => rig.station.controller.state === 254, 5000);
    await publish(`${TOPIC}/override/set`, 'toggle');
    await until(() => rig.station.controller.state === 1, 5000);
    expect((await (await rig.get('/override')).json())).toEqual({});
  });

  it('publishes a state change at once: controller → subscriber well under a second', async () => {
    const n = seen.length;
    rig.station.ev.plug();
    rig.station.ev.requestCharge(true);
    await until(() => rig.station.controller.state === 3, 10000, 1);
    const changedAt = Date.now();
    await until(() => seen.slice(n).some((s) => s.topic === `${TOPIC}/state` && s.payload === '3'), 2000, 1);
    const arrived = seen.slice(n).find((s) => s.topic === `${TOPIC}/state` && s.payload === '3')!.at;
    expect(arrived - changedAt).toBeLessThan(500);
    expect(last(`${TOPIC}/vehicle`)!.payload).toBe('1');
    rig.station.ev.unplug();
    await until(() => last(`${TOPIC}/state`)?.payload === '1', 5000);
  });

  it('takes the line voltage from mqtt_vrms and hands it to the controller ($SV)', async () => {
    await publish('test/vrms', '230');
    await until(async () => (await (await rig.get('/status')).json()).voltage === 230, 3000);
    await until(() => rig.station.controller.millivolts === 230000, 3000);
    await publish('test/vrms', 'garbage');
    await publish('test/vrms', '5000');
    await new Promise((r) => setTimeout(r, 200));
    expect((await (await rig.get('/status')).json()).voltage).toBe(230);
  });

  it('never puts a secret on the broker', () => {
    for (const s of seen) expect(s.payload).not.toContain('mqtt-secret-pass');
  });

  it('a vanished connection fires the retained last will; the gateway reconnects and re-announces', async () => {
    const n = seen.length;
    relay.cut();
    await until(() => seen.slice(n).some((s) => s.topic === ANNOUNCE && JSON.parse(s.payload).state === 'disconnected'), 5000);
    const will = seen.slice(n).find((s) => s.topic === ANNOUNCE && JSON.parse(s.payload).state === 'disconnected')!;
    expect(JSON.parse(will.payload)).toEqual({ state: 'disconnected', id: 'a1b2c3d4e5f6', name: 'openevse-e5f6' });
    await until(() => last(ANNOUNCE)?.payload.includes('"connected"') === true && rig.gateway.mqttConnected, 10000);
  });

  it('survives the broker being killed and restarted: HTTP and RAPI keep working, then it reconnects and resubscribes', async () => {
    await broker.kill();
    await until(() => !rig.gateway.mqttConnected, 5000);
    expect((await (await rig.get('/status')).json()).mqtt_connected).toBe(0);
    // nothing waits on the broker
    const t0 = Date.now();
    const r = await (await rig.get('/r?json=1&rapi=$GE')).json();
    expect(r.ret).toMatch(/^\$OK/);
    expect(Date.now() - t0).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 1500));
    await broker.restart();
    await until(() => rig.gateway.mqttConnected, 20000);
    await until(() => sub.connected, 5000);
    await new Promise((r) => setTimeout(r, 300));
    const n = seen.length;
    await publish(`${TOPIC}/rapi/in/$GV`, '');
    await until(() => seen.slice(n).some((s) => s.topic === `${TOPIC}/rapi/out`), 5000);
    // the announce is back (the restarted broker kept nothing)
    await until(() => last(ANNOUNCE)?.payload.includes('"connected"') === true, 5000);
  }, 40000);

  it('a config change restarts the connection on the new topic', async () => {
    const connects = rig.gateway.mqtt!.connects;
    expect((await rig.post('/config', JSON.stringify({ mqtt_topic: 'test/evse2' }))).status).toBe(200);
    await until(() => rig.gateway.mqtt!.connects > connects && rig.gateway.mqttConnected, 10000);
    await until(() => last(ANNOUNCE) !== undefined && JSON.parse(last(ANNOUNCE)!.payload).mqtt === 'test/evse2', 5000);
    const n = seen.length;
    await publish('test/evse2/rapi/in/$GS', '');
    await until(() => seen.slice(n).some((s) => s.topic === 'test/evse2/rapi/out'), 5000);
    // the old topic is no longer listened to
    const m = seen.length;
    await publish(`${TOPIC}/rapi/in/$GS`, '');
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.slice(m).some((s) => s.topic.endsWith('/rapi/out'))).toBe(false);
  });

  it('disabling MQTT says goodbye on the announce topic', async () => {
    expect((await rig.post('/config', JSON.stringify({ mqtt_enabled: false }))).status).toBe(200);
    await until(() => !rig.gateway.mqttConnected, 5000);
    await until(() => last(ANNOUNCE) !== undefined && JSON.parse(last(ANNOUNCE)!.payload).state === 'disconnected', 5000);
    expect(JSON.parse(last(ANNOUNCE)!.payload)).toEqual({ state: 'disconnected', id: 'a1b2c3d4e5f6', name: 'openevse-e5f6' });
  });
});

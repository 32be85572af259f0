// Issue 14, 3–5: strict config. MQTT topics without U+0000 or wildcards, a
// topic filter that is valid, `service` only as a number or string, Wi-Fi
// credentials within their byte limits; every refusal a 400 that changes nothing.
import { describe, it, expect } from '../harness';
import { MqttBridge } from '../../../modules/gateway/mqtt-bridge';
import { check, topicProblem, utf8Length } from '../../../modules/gateway/config-store';
import type { MqttConnect } from '../../../modules/ports';
import { VirtualClock } from '../../../sim/clock';
import { bodyJson, run } from './fixtures';
import { standalone } from './hardening-fixture';

const post = (f: ReturnType<typeof standalone>, doc: unknown) => f.http('POST', '/config', { body: JSON.stringify(doc), headers: { 'content-type': 'application/json' } });

describe('config: MQTT topics', () => {
  it('refuses U+0000 and other control characters in mqtt_topic and mqtt_announce_topic (400, nothing saved)', async () => {
    const f = standalone();
    const version = f.gateway.config.version;
    const writes = f.storage.writes;
    for (const doc of [{ mqtt_topic: 'a\u0000b' }, { mqtt_announce_topic: 'openevse/\u0000' }, { mqtt_topic: 'a\u0007' }, { mqtt_topic: 'a/#' }, { mqtt_topic: '' }]) {
      const r = await post(f, doc);
      expect(r.status).toBe(400);
    }
    expect(f.gateway.config.version).toBe(version);
    expect(f.storage.writes).toBe(writes);
  });

  it('mqtt_vrms must be a valid topic filter: a/#/b and a+ are refused, +/vrms and a/# are taken', async () => {
    const f = standalone();
    expect((await post(f, { mqtt_vrms: 'a/#/b' })).status).toBe(400);
    expect(bodyJson(await post(f, { mqtt_vrms: 'a+/b' })).msg).toContain('mqtt_vrms');
    expect((await post(f, { mqtt_vrms: 'home/+/vrms' })).status).toBe(200);
    expect((await post(f, { mqtt_vrms: 'meter/#' })).status).toBe(200);
    expect((await post(f, { mqtt_vrms: '' })).status).toBe(200);
  });

  it('topic rules (MQTT 3.1.1 §4.7) as a table', () => {
    const cases: [string, boolean, boolean][] = [
      ['openevse/a', false, true],
      ['a/+/b', false, false],
      ['a/+/b', true, true],
      ['#', true, true],
      ['a/#', true, true],
      ['a/#/b', true, false],
      ['a#', true, false],
      ['+a', true, false],
      ['a\u0000', true, false],
      ['a b', false, false],
      ['', true, false],
    ];
    for (const [topic, filter, ok] of cases) expect(topicProblem(topic, filter) === undefined).toBe(ok);
  });

  it('a subscription the broker refuses is logged', () => {
    const clock = new VirtualClock();
    const lines: string[] = [];
    const connect: MqttConnect = (_o, events) => {
      clock.set(() => events.onConnect(), 1);
      return { publish() {}, subscribe: (topic, refused) => refused?.(topic === 'bad/vrms' ? 'refused by the broker' : 'x'), close() {} };
    };
    const bridge = new MqttBridge({ connect, timers: clock, status: () => ({}), rapi: (_c, done) => done(''), log: (l) => lines.push(l), subscriptions: [{ topic: () => 'bad/vrms', onMessage() {} }] });
    bridge.configure({ enabled: true, protocol: 'mqtt', server: 'b', port: 1883, topic: 't', user: '', pass: '', rejectUnauthorized: true, retained: false, topics: 'bad/vrms', announceTopic: 'ann', id: 'i', name: 'n', http: '' });
    clock.advance(5);
    expect(lines.some((l) => l.includes('subscribe to bad/vrms failed: refused by the broker'))).toBe(true);
  });
});

describe('config: controller fields', () => {
  it('service ["a"] and {"toString":2} are refused with 400, and no $SL goes to the controller', async () => {
    const f = standalone();
    await f.ready();
    const r1 = await post(f, { service: ['a'] });
    expect(r1.status).toBe(400);
    const r2 = await post(f, { service: { toString: 2 } });
    expect(r2.status).toBe(400);
    expect(bodyJson(r2).msg).toContain('service');
    await run(f.clock, 100);
    expect(f.commands().some((c) => c.startsWith('$SL'))).toBe(false);
    expect((await post(f, { service: 'A' })).status).toBe(200);
    expect(f.commands()).toContain('$SL A');
  });
});

describe('config: Wi-Fi credentials', () => {
  it('utf8Length counts bytes', () => {
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('\ud83d\ude00')).toBe(4);
  });

  it('/savenetwork refuses an SSID over 32 bytes or a password over 64 with 400, and saves nothing', async () => {
    const f = standalone();
    const writes = f.storage.writes;
    const bad: Record<string, string>[] = [{ ssid: 'x'.repeat(33) }, { ssid: 'é'.repeat(17) }, { ssid: 'home', pass: 'p'.repeat(65) }, { ssid: 'a\u0000b' }];
    for (const q of bad) {
      const r = await f.http('GET', '/savenetwork', { query: q });
      expect(r.status).toBe(400);
    }
    expect(f.gateway.config.get('ssid')).toBe('');
    expect(f.storage.writes).toBe(writes);
    const ok = await f.http('GET', '/savenetwork', { query: { ssid: 'x'.repeat(32), pass: 'p'.repeat(64) } });
    expect(ok.status).toBe(200);
    expect(f.gateway.config.get('ssid')).toBe('x'.repeat(32));
    expect(check('ssid', 'é'.repeat(16)).ok).toBe(true);
  });
});

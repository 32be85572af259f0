// The firmware's MQTT codec (hosts/moddable/mqtt-packet) against mqtt-packet,
// the parser and generator that MQTT.js uses: what we write, it parses to the
// same fields; what it writes, we read back.
import { generate, parser as makeParser, type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import {
  PacketReader,
  connectPacket,
  parsePublish,
  publishPacket,
  subscribePacket,
  text,
  utf8,
  type Incoming,
} from '../../../hosts/moddable/mqtt-packet';

function parseWithLibrary(bytes: Uint8Array): Packet[] {
  const p = makeParser({ protocolVersion: 4 });
  const out: Packet[] = [];
  const errors: Error[] = [];
  p.on('packet', (packet: Packet) => out.push(packet));
  p.on('error', (e: Error) => errors.push(e));
  p.parse(Buffer.from(bytes));
  if (errors.length) throw errors[0];
  return out;
}

describe('MQTT codec interoperates with mqtt-packet (MQTT.js)', () => {
  it('our CONNECT parses to the same client id, keep-alive, will and credentials', () => {
    const [p] = parseWithLibrary(connectPacket({ clientId: 'openevse-0a1b', keepalive: 30, username: 'ü', password: 'pw', will: { topic: 'announce', payload: '{"state":"disconnected"}', qos: 1, retain: true } })) as any[];
    expect(p.cmd).toBe('connect');
    expect(p.clientId).toBe('openevse-0a1b');
    expect(p.keepalive).toBe(30);
    expect(p.clean).toBe(true);
    expect(p.username).toBe('ü');
    expect(p.password.toString()).toBe('pw');
    expect(p.will.topic).toBe('announce');
    expect(p.will.payload.toString()).toBe('{"state":"disconnected"}');
    expect(p.will.qos).toBe(1);
    expect(p.will.retain).toBe(true);
  });

  it('our PUBLISH (QoS 0 and 1, empty and long payloads) and SUBSCRIBE parse to the same fields', () => {
    const long = 'x'.repeat(20000);
    const packets = parseWithLibrary(
      Uint8Array.from([
        ...publishPacket('evse/state', utf8('3'), { qos: 0, retain: false }),
        ...publishPacket('evse/rapi/out', new Uint8Array(0), { qos: 1, retain: true, id: 77 }),
        ...publishPacket('evse/big', utf8(long), { qos: 0, retain: false }),
        ...subscribePacket(5, ['evse/rapi/in/#']),
      ]),
    ) as any[];
    expect(packets.map((p) => p.cmd)).toEqual(['publish', 'publish', 'publish', 'subscribe']);
    expect([packets[0].topic, packets[0].payload.toString(), packets[0].qos, packets[0].retain]).toEqual(['evse/state', '3', 0, false]);
    expect([packets[1].topic, packets[1].payload.length, packets[1].qos, packets[1].retain, packets[1].messageId]).toEqual(['evse/rapi/out', 0, 1, true, 77]);
    expect(packets[2].payload.toString()).toBe(long);
    expect(packets[3].messageId).toBe(5);
    expect(packets[3].subscriptions).toEqual([{ topic: 'evse/rapi/in/#', qos: 0 }]);
  });

  it('reads what mqtt-packet generates, one byte at a time: CONNACK, empty and UTF-8 PUBLISH at QoS 0 and 1', () => {
    const stream = Buffer.concat([
      generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }),
      generate({ cmd: 'publish', topic: 'evse/rapi/in/$GV', payload: Buffer.alloc(0), qos: 0, retain: false, dup: false }),
      generate({ cmd: 'publish', topic: 'evse/rapi/in/$SC', payload: Buffer.from('16 V'), qos: 1, messageId: 300, retain: false, dup: false }),
      generate({ cmd: 'publish', topic: 'ünï/€', payload: Buffer.from('⚡'), qos: 0, retain: true, dup: false }),
    ]);
    const got: Incoming[] = [];
    const reader = new PacketReader({ onPacket: (p) => got.push(p) });
    for (const b of stream) reader.push(Uint8Array.of(b));
    expect(got.map((p) => p.type)).toEqual([2, 3, 3, 3]);
    const [a, b, c] = got.slice(1).map(parsePublish);
    expect([a.topic, a.payload.length, a.qos]).toEqual(['evse/rapi/in/$GV', 0, 0]);
    expect([b.topic, text(b.payload), b.qos, b.id]).toEqual(['evse/rapi/in/$SC', '16 V', 1, 300]);
    expect([c.topic, text(c.payload), c.retain]).toEqual(['ünï/€', '⚡', true]);
  });
});

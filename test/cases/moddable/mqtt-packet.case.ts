// The firmware's MQTT 3.1.1 packets, byte for byte against the standard
// (OASIS MQTT 3.1.1, §2–3), and the reader against any chunking of the stream,
// including the empty PUBLISH that froze the SDK's example client.
import { describe, expect, it } from '../harness';
import {
  CONNACK,
  PUBLISH,
  PacketReader,
  connectPacket,
  parsePublish,
  pubackPacket,
  publishPacket,
  subscribePacket,
  text,
  utf8,
  type Incoming,
} from '../../../hosts/moddable/mqtt-packet';

const bytes = (...b: number[]) => Array.from(Uint8Array.from(b));
const arr = (u: Uint8Array) => Array.from(u);

function readAll(chunks: Uint8Array[], maxLength?: number): Incoming[] {
  const out: Incoming[] = [];
  const r = new PacketReader({ maxLength, onPacket: (p) => out.push(p) });
  for (const c of chunks) r.push(c);
  return out;
}

describe('MQTT packets (hosts/moddable/mqtt-packet)', () => {
  it('encodes CONNECT with clean session, keep-alive, will (QoS 1, retained) and credentials', () => {
    const p = connectPacket({ clientId: 'ab', keepalive: 30, username: 'u', password: 'p', will: { topic: 't', payload: 'x', qos: 1, retain: true } });
    // flags: user 0x80 | pass 0x40 | will retain 0x20 | will QoS 1 0x08 | will 0x04 | clean 0x02
    expect(arr(p)).toEqual(bytes(0x10, 26, 0, 4, 77, 81, 84, 84, 4, 0xee, 0, 30, 0, 2, 97, 98, 0, 1, 116, 0, 1, 120, 0, 1, 117, 0, 1, 112));
  });

  it('encodes PUBLISH at QoS 0 and 1, SUBSCRIBE and PUBACK', () => {
    expect(arr(publishPacket('a/b', utf8('hi'), { qos: 0, retain: false }))).toEqual(bytes(0x30, 7, 0, 3, 97, 47, 98, 104, 105));
    expect(arr(publishPacket('a', new Uint8Array(0), { qos: 1, retain: true, id: 258 }))).toEqual(bytes(0x33, 5, 0, 1, 97, 1, 2));
    expect(arr(subscribePacket(7, ['x/#']))).toEqual(bytes(0x82, 8, 0, 7, 0, 3, 120, 47, 35, 0));
    expect(arr(pubackPacket(513))).toEqual(bytes(0x40, 2, 2, 1));
  });

  it('uses the variable-length remaining length (two bytes from 128)', () => {
    const p = publishPacket('t', new Uint8Array(200), { qos: 0, retain: false });
    expect(arr(p.subarray(0, 3))).toEqual(bytes(0x30, 203 % 128 + 128, 1));
    expect(p.length).toBe(3 + 203);
  });

  it('reads packets however the stream is cut, an empty PUBLISH included, and what follows it', () => {
    const stream = Uint8Array.from([
      0x20, 2, 0, 0, // CONNACK accepted
      0x30, 5, 0, 3, 97, 47, 98, // PUBLISH a/b, empty payload
      0x30, 6, 0, 1, 99, 36, 71, 86, // PUBLISH c "$GV"
      0xd0, 0, // PINGRESP
    ]);
    for (let cut = 1; cut <= stream.length; cut++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += cut) chunks.push(stream.subarray(i, i + cut));
      const got = readAll(chunks);
      expect(got.map((p) => p.type)).toEqual([CONNACK, PUBLISH, PUBLISH, 13]);
      const empty = parsePublish(got[1]);
      expect(empty.topic).toBe('a/b');
      expect(empty.payload.length).toBe(0);
      expect(text(parsePublish(got[2]).payload)).toBe('$GV');
    }
  });

  it('gives the packet id of a QoS 1 PUBLISH and keeps its payload apart', () => {
    const [p] = readAll([Uint8Array.from([0x32, 8, 0, 1, 116, 0, 9, 111, 107, 33])]);
    const m = parsePublish(p);
    expect(m.qos).toBe(1);
    expect(m.id).toBe(9);
    expect(text(m.payload)).toBe('ok!');
  });

  it('refuses a packet over the device limit and a malformed length or PUBLISH', () => {
    expect(() => readAll([Uint8Array.from([0x30, 0x80, 0x01])], 100)).toThrow(/128 bytes is over the 100/);
    expect(() => readAll([Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])])).toThrow(/remaining length/);
    expect(() => parsePublish({ type: PUBLISH, flags: 0, body: Uint8Array.from([0, 9, 97]) })).toThrow(/malformed/);
  });

  it('round-trips UTF-8 text and replaces malformed sequences', () => {
    for (const s of ['', 'plain', 'é', '€ 5', '🚗⚡', 'a\u0000b']) expect(text(utf8(s))).toBe(s);
    expect(arr(utf8('€'))).toEqual(bytes(0xe2, 0x82, 0xac));
    expect(text(Uint8Array.from([0x61, 0xff, 0x62]))).toBe('a\ufffdb');
    expect(text(Uint8Array.from([0xe2, 0x82]))).toBe('\ufffd\ufffd');
  });
});

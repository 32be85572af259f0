// The wire model under the RAPI bench: two ptys joined at 115200 baud 8N1
// must carry no more than 11,520 bytes a second each way, whole and in order,
// and the RAPI exchange rate through it cannot beat the wire limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RapiClient, isReply } from '../../../modules/gateway/rapi-client';
import { SimStation } from '../../../sim/station';
import { NodeClock } from '../../../hosts/node/clock';
import { SerialLink } from '../../../hosts/node/serial-link';
import { cleanup, tempDir, until } from './rig';
import { pacedPtyPair, type Wire } from './wire';

let dir: string;
let wire: Wire;

beforeAll(async () => {
  dir = tempDir('wire');
  wire = await pacedPtyPair(dir, 115200);
});

afterAll(() => {
  wire?.close();
  cleanup(dir);
});

describe('a 115200-baud wire model between two ptys', () => {
  it('takes at least 10 bit times per byte, and delivers every byte in order', async () => {
    const a = await SerialLink.open(wire.a);
    const b = await SerialLink.open(wire.b);
    try {
      expect(a.reader).toBe('tty'); // Linux: a descriptor read through a libuv tty handle, not serialport's stream
      const sent = new Uint8Array(2304).map((_, i) => i & 0xff); // 200 ms at 11,520 B/s
      const got: number[] = [];
      b.onReceive((x) => got.push(...x));
      const t0 = performance.now();
      for (let i = 0; i < sent.length; i += 64) a.write(sent.subarray(i, i + 64));
      await until(() => got.length >= sent.length, 5000, 1);
      const ms = performance.now() - t0;
      // The lower bound is the wire model's promise (10 bit times a byte); an upper bound
      // would time the machine, not the model, and speed belongs to `npm run bench`.
      expect(ms).toBeGreaterThanOrEqual(200);
      expect(got).toEqual([...sent]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("serialport's own stream path (direct: false) carries the same bytes", async () => {
    const a = await SerialLink.open(wire.a, 115200, { direct: false });
    const b = await SerialLink.open(wire.b, 115200, { direct: false });
    try {
      expect(a.direct).toBe(false);
      const got: number[] = [];
      b.onReceive((x) => got.push(...x));
      a.write(new TextEncoder().encode('$GS^30\r'));
      await until(() => got.length >= 7, 5000, 1);
      expect(String.fromCharCode(...got)).toBe('$GS^30\r');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('RAPI through it: replies arrive, and no faster than request + reply bytes allow', async () => {
    const clock = new NodeClock();
    const ctl = await SerialLink.open(wire.a);
    const gw = await SerialLink.open(wire.b);
    const station = new SimStation({ clock, output: ctl });
    const client = new RapiClient({ clock, timers: clock, link: gw });
    try {
      ctl.onReceive((x) => station.receive(x));
      gw.onReceive((x) => client.receive(x));
      station.start();
      await until(() => station.controller.state === 1, 10000);
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) {
        const r = await client.send('GS');
        expect(isReply(r) && r.ok).toBe(true);
      }
      // $GS^30\r is 7 bytes, $OK 01 0 01 0200^12\r 20: 27 × 10 bits at 115200 baud = 2.34 ms each
      expect(performance.now() - t0).toBeGreaterThanOrEqual((50 * 27 * 10) / 115.2);
    } finally {
      station.stop();
      client.close();
      await gw.close();
      await ctl.close();
    }
  });
});

// SerialLink's three readers over a real pseudo-terminal pair (socat): each
// carries bytes both ways, whole and in order, and closing gives back every
// descriptor it opened (the tty reader opens the device a second time).
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialLink, type SerialReader } from '../../../hosts/node/serial-link';
import { cleanup, tempDir, until } from './rig';
import { ptyPair } from './pty-pair';

let dir: string;
let pair: { a: string; b: string; proc: ChildProcess };

beforeAll(async () => {
  dir = tempDir('serial-link');
  pair = await ptyPair(dir);
});

afterAll(() => {
  pair?.proc.kill();
  cleanup(dir);
});

/** This process's descriptors open on the device behind `path` (the rest of the process opens and closes its own meanwhile). */
function fdsOn(path: string): number {
  const device = realpathSync(path);
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === device) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

describe('SerialLink readers over a pty pair', () => {
  for (const reader of ['tty', 'poller', 'stream'] as SerialReader[]) {
    it(`${reader}: bytes both ways, in order, and every descriptor back on close`, async () => {
      expect(fdsOn(pair.a)).toBe(0);
      const a = await SerialLink.open(pair.a, 115200, { reader });
      const b = await SerialLink.open(pair.b, 115200, { reader: 'tty' });
      try {
        expect(a.reader).toBe(reader);
        const toB: number[] = [];
        const toA: number[] = [];
        b.onReceive((x) => toB.push(...x));
        a.onReceive((x) => toA.push(...x));
        const sent = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
        for (let i = 0; i < sent.length; i += 100) a.write(sent.subarray(i, i + 100));
        b.write(new TextEncoder().encode('$OK^20\r'));
        await until(() => toB.length >= sent.length && toA.length >= 7, 5000, 1);
        expect(toB).toEqual([...sent]);
        expect(String.fromCharCode(...toA)).toBe('$OK^20\r');
      } finally {
        await a.close();
        await b.close();
      }
      expect(fdsOn(pair.a)).toBe(0);
      expect(fdsOn(pair.b)).toBe(0);
    });
  }

  it('a received chunk is the receiver’s to keep: later reads do not overwrite it', async () => {
    const a = await SerialLink.open(pair.a);
    const b = await SerialLink.open(pair.b);
    try {
      const chunks: Uint8Array[] = [];
      b.onReceive((x) => chunks.push(x));
      a.write(new TextEncoder().encode('first'));
      await until(() => chunks.length >= 1, 5000, 1);
      a.write(new TextEncoder().encode('SECOND'));
      await until(() => chunks.reduce((n, c) => n + c.length, 0) >= 11, 5000, 1);
      expect(new TextDecoder().decode(chunks[0])).toBe('first');
      expect(chunks[0].slice(0, 1).buffer).not.toBe(chunks[0].buffer); // slice copies, as a Uint8Array's does
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('an unknown EVSE_SERIAL_READER is refused with what it should be', async () => {
    process.env.EVSE_SERIAL_READER = 'epoll';
    try {
      await expect(SerialLink.open(pair.a)).rejects.toThrow(/EVSE_SERIAL_READER=epoll: expected tty, poller or stream/);
    } finally {
      delete process.env.EVSE_SERIAL_READER;
    }
  });

  it('a path that is not there is refused by serialport', async () => {
    await expect(SerialLink.open(`${dir}/no-such-tty`)).rejects.toThrow(/no-such-tty/);
  });
});

// A booted simulated station on a virtual clock, with the controller's RAPI
// output decoded into frames, for scenario cases.

import { encode, type Frame } from '../../../modules/rapi/frame';
import { FrameParser } from '../../../modules/rapi/parser';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage } from '../../../sim/memory-storage';
import { SimStation, type SimStationOptions } from '../../../sim/station';

export interface Fixture {
  clock: VirtualClock;
  station: SimStation;
  storage: MemoryStorage;
  /** Every frame the controller sent, in order. */
  frames: Frame[];
  /** Every byte the controller sent, as text. */
  raw: { text: string };
  /** Sends one command (text without `$`/checksum, e.g. "SC 16 V") and returns its reply. */
  rapi(command: string): Frame;
  /** Frames of one kind sent since `from` (an index into `frames`). */
  sent(word: string, from?: number): Frame[];
}

export function makeStation(options: Partial<SimStationOptions> = {}, storage = new MemoryStorage()): Fixture {
  const clock = new VirtualClock();
  const frames: Frame[] = [];
  const raw = { text: '' };
  const parser = new FrameParser({ bufferSize: 128, onFrame: (f) => frames.push(f) });
  const output = {
    write(b: Uint8Array) {
      for (const x of b) raw.text += String.fromCharCode(x);
      parser.receive(b);
    },
  };
  const station = new SimStation({ clock, storage, output, ...options });
  const fixture: Fixture = {
    clock,
    station,
    storage,
    frames,
    raw,
    rapi(command) {
      const [word, ...params] = command.split(' ');
      const before = frames.length;
      station.receive(encode(word, params));
      const reply = frames.slice(before).find((f) => f.command === 'OK' || f.command === 'NK');
      if (!reply) throw new Error(`no reply to ${command}`);
      return reply;
    },
    sent(word, from = 0) {
      return frames.slice(from).filter((f) => f.command === word);
    },
  };
  return fixture;
}

/** A station that has finished its power-on self test. */
export function bootedStation(options: Partial<SimStationOptions> = {}, storage?: MemoryStorage): Fixture {
  const f = makeStation(options, storage);
  f.station.start();
  f.clock.advanceUntil(() => f.sent('AB').length > 0, 5000);
  return f;
}

/** Plugs the EV in and runs until the relay has closed; returns the ms it took. */
export function plugAndCharge(f: Fixture): number {
  f.station.ev.plug();
  return f.clock.advanceUntil(() => f.station.mains.energized, 10_000);
}

/**
 * A GFCI trip and its clearing: `mA` of leakage until the (inverse-time) sensor
 * trips, then none. Returns the ms the sensor took.
 */
export function gfciPulse(f: Fixture, mA = 30): number {
  const trips = f.station.gfci.trips;
  f.station.gfciLeak(mA);
  const ms = f.clock.advanceUntil(() => f.station.gfci.trips > trips, 2000, 1);
  f.station.gfciLeak(0);
  return ms;
}

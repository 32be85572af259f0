// The thinnest stand-ins for the device's hardware and runtime, for metering
// the firmware on XS: each answers at once from a field, with no physics. On
// the device these are ECMA-419 reads and writes and Moddable's native timer
// list; their cost here is metered apart from the firmware's
// (bench/device/profile.ts) so the device figure is the firmware's alone.

import type {
  AcSense, ButtonInput, Clock, CurrentSampler, GfciInput, GfciTestOutput, MqttConnect, PilotOutput, PilotReading,
  PilotSampler, RelayOutput, TemperatureSensors, TimerId, Timers,
} from '../../modules/ports';

interface Pending {
  due: number;
  every: number;
  callback: () => void;
  live: boolean;
}

/** Time moves only in `advance`; due timers fire in due order (a device's timer list, in JS). */
export class StandInTimers implements Clock, Timers {
  #now = 0;
  #pending: Pending[] = [];

  now(): number {
    return this.#now;
  }

  wall(): number {
    return 1767225600000 + this.#now; // 2026-01-01
  }

  set(callback: () => void, ms: number): TimerId {
    const p = { due: this.#now + (ms > 0 ? ms : 0), every: 0, callback, live: true };
    this.#pending.push(p);
    return p;
  }

  repeat(callback: () => void, ms: number): TimerId {
    const p = { due: this.#now + ms, every: ms > 1 ? ms : 1, callback, live: true };
    this.#pending.push(p);
    return p;
  }

  clear(id: TimerId): void {
    if (id) (id as Pending).live = false;
  }

  /** Fires every timer due up to now + ms. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const list = this.#pending;
      let next: Pending | undefined;
      let at = -1;
      for (let i = 0; i < list.length; i++) {
        const p = list[i];
        if (!p.live) {
          list.splice(i--, 1);
          continue;
        }
        if (p.due <= end && (next === undefined || p.due < next.due)) {
          next = p;
          at = i;
        }
      }
      if (next === undefined) break;
      if (next.due > this.#now) this.#now = next.due;
      if (next.every) next.due += next.every;
      else {
        next.live = false;
        list.splice(at, 1);
      }
      next.callback();
    }
    this.#now = end;
  }
}

export type EvStandIn = 'none' | 'connected' | 'charging';

/** Pilot generator and pilot-sense ADC: the reading follows the generator mode and what the EV asks for (J1772 nominal levels). */
export class PilotStandIn implements PilotOutput, PilotSampler {
  readonly resolution = 12;
  readonly frequency = 1000;
  ev: EvStandIn = 'none';
  #mode = 0; // 0 low, 1 high, 2 pwm
  readonly #reading: PilotReading = { high: -12, low: -12 };

  high(): void {
    this.#mode = 1;
  }

  low(): void {
    this.#mode = 0;
  }

  pwm(): void {
    this.#mode = 2;
  }

  read(): PilotReading {
    const r = this.#reading;
    if (this.#mode === 0) {
      r.high = -12;
      r.low = -12;
      return r;
    }
    const high = this.ev === 'none' ? 12 : this.ev === 'connected' ? 9 : 6;
    r.high = high;
    r.low = this.#mode === 2 ? -12 : high;
    return r;
  }
}

/** Relay, AC sense behind it and the GFCI sensor with its test winding: both lines live while closed; the sensor trips only on its winding. */
export class PowerStandIn implements RelayOutput, AcSense {
  closed = false;
  #winding = false;
  readonly #lines = { line1: false, line2: false };

  set(on: boolean): void {
    this.closed = on;
  }

  read(): { line1: boolean; line2: boolean } {
    const l = this.#lines;
    l.line1 = this.closed;
    l.line2 = this.closed;
    return l;
  }

  readonly gfci: GfciInput & GfciTestOutput = {
    read: () => this.#winding,
    set: (on: boolean) => {
      this.#winding = on;
    },
  };
}

/** A current transformer's ADC window, sampled once at 32 A, 60 Hz, 12 bits, 4 kHz. */
export class CurrentStandIn implements CurrentSampler {
  readonly rate = 4000;
  readonly bits = 12;
  readonly #window: Uint16Array;

  constructor(amps = 32, length = 160) {
    // 220 mA per 10-bit RMS count (OpenEVSE's default scale), × 4 for 12 bits, × √2 for the peak.
    const peak = ((amps * 1000) / 220) * 4 * Math.SQRT2;
    this.#window = new Uint16Array(length);
    for (let i = 0; i < length; i++) this.#window[i] = Math.round(2048 + peak * Math.sin((2 * Math.PI * 60 * i) / 4000 + 0.3));
  }

  sample(into: Uint16Array): number {
    const n = into.length < this.#window.length ? into.length : this.#window.length;
    into.set(n === this.#window.length ? this.#window : this.#window.subarray(0, n));
    return n;
  }
}

export const thermometersStandIn: TemperatureSensors = { read: () => THERMO };
const THERMO = [null, 250, null];
export const buttonStandIn: ButtonInput = { read: () => false };

/** A broker that accepts the connection on the next timer turn and every publish. */
export function brokerStandIn(timers: Timers): { connect: MqttConnect; published: () => number } {
  let published = 0;
  const connect: MqttConnect = (_options, events) => {
    timers.set(() => events.onConnect(), 20);
    return {
      publish() {
        published++;
      },
      subscribe() {},
      close() {},
    };
  };
  return { connect, published: () => published };
}

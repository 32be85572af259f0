// The world a storm runs in: a simulated station (controller, RAPI processor,
// EV, mains, GFCI sensor on the UL 2231 curve, CT, thermometers) on a virtual
// clock, the events a storm may throw at it, and a loop that advances time
// 1 ms at a time and hands every millisecond to the invariant checker.

import { encode } from '../../../modules/rapi/frame';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage } from '../../../sim/memory-storage';
import { type ControllerTuning, SimStation } from '../../../sim/station';

/**
 * One event, `d` ms after the previous one. `k` names it; `a` is its value,
 * `c` a RAPI command (without `$` and checksum). For noise and the injected
 * faults `b` is how long it lasts, ms (the fault then clears itself; without
 * `b` it stays until an event clears it).
 */
export interface StormEvent {
  d: number;
  k: EventKind;
  a?: number;
  b?: number;
  c?: string;
}

export type EventKind =
  | 'plug' | 'unplug' | 'request' | 'vent' | 'slow' | 'overdraw' | 'noise'
  | 'leak' | 'gfci-broken' | 'ground-lost' | 'weld' | 'temp' | 'diode' | 'short'
  | 'rapi' | 'power';

/** The value that clears each injectable fault. */
const HEALTHY: Partial<Record<EventKind, number>> = {
  vent: 0, overdraw: 0, leak: 0, 'gfci-broken': 0, 'ground-lost': 0, weld: 0, temp: 250, diode: 0, short: 0,
};

/** One event as text, for the minimal failing sequence a storm prints. */
export function describeEvent(e: StormEvent): string {
  const args = e.k === 'rapi' ? `$${e.c}` : [e.a, e.b].filter((x) => x !== undefined).join(' ');
  return `+${e.d} ms ${e.k}${args ? ` ${args}` : ''}`;
}

/** What the world tells its observer about events it has carried out (the checker keys its clearing events on them). */
export interface WorldObserver {
  /** An event was applied at `now`. */
  applied(e: StormEvent, now: number): void;
  /** One millisecond has passed; return a violation or undefined. */
  tick(now: number): string | undefined;
}

export class StormWorld {
  readonly clock = new VirtualClock();
  readonly storage = new MemoryStorage();
  readonly station: SimStation;
  #noiseEnds = -1;
  /** Faults that clear themselves: when, and which. */
  readonly #clears: { at: number; k: EventKind }[] = [];
  /** Counts changes to the wire made from outside (events, the end of a noise burst). */
  wireEpoch = 0;
  /** Integrate the energy really delivered (the sim's true current × volts, every ms) into `trueWs`. */
  measureTrueEnergy = false;
  trueWs = 0;

  constructor(controller: ControllerTuning = {}) {
    this.station = new SimStation({
      clock: this.clock,
      storage: this.storage,
      output: { write() {} },
      ctNoiseCounts: 1,
      // Quick retries, so an hour holds many of them (the policy's count and lock-out are what storms check).
      controller: { retryDelayMs: 60_000, ...controller },
    });
  }

  /** Carries out one event now. */
  apply(e: StormEvent): void {
    const s = this.station;
    if (e.b !== undefined && e.k !== 'noise' && (e.a ?? 0) !== HEALTHY[e.k]) this.#clears.push({ at: this.clock.now() + e.b, k: e.k });
    const on = (e.a ?? 0) !== 0;
    switch (e.k) {
      case 'plug': s.ev.plug(); break;
      case 'unplug': s.ev.unplug(); break;
      case 'request': s.ev.requestCharge(on); break;
      case 'vent': s.ev.ventilation = on; break;
      case 'slow': s.ev.ignoresPilot = on; break;
      case 'overdraw': s.ev.overdraw = e.a ?? 0; break;
      case 'noise':
        // `a` tenths of a volt on the wire for `b` ms.
        s.pilot.offset = (e.a ?? 0) / 10;
        this.#noiseEnds = this.clock.now() + (e.b ?? 1);
        break;
      case 'leak': s.gfciLeak(e.a ?? 0); break;
      case 'gfci-broken': s.breakGfci(on); break;
      case 'ground-lost': s.loseGround(on); break;
      case 'weld': s.weldRelay(on); break;
      case 'temp': s.setTemperature(e.a ?? 250); break;
      case 'diode': s.shortDiode(on); break;
      case 'short': s.shortPilot(on); break;
      case 'rapi': {
        const [word, ...params] = (e.c ?? 'GS').split(' ');
        s.receive(encode(word, params));
        break;
      }
      case 'power':
        s.stop();
        s.start();
        break;
    }
  }

  /**
   * Powers on, then plays `events` while advancing the clock 1 ms at a time
   * to `durationMs`, asking `observer` after every ms. Returns the first
   * violation, with the time and the events so far.
   */
  run(events: readonly StormEvent[], durationMs: number, observer: WorldObserver): string | undefined {
    const clock = this.clock;
    const pilot = this.station.pilot;
    this.station.start();
    let next = 0;
    let due = events.length > 0 ? events[0].d : Infinity;
    const mains = this.station.mains;
    for (let t = 1; t <= durationMs; t++) {
      const watts = this.measureTrueEnergy && mains.energized ? mains.volts * this.station.trueAmps : 0;
      clock.advance(1);
      this.trueWs += watts / 1000;
      if (this.#noiseEnds >= 0 && t >= this.#noiseEnds) {
        pilot.offset = 0;
        this.#noiseEnds = -1;
        this.wireEpoch++;
      }
      for (let i = 0; i < this.#clears.length; i++) {
        const c = this.#clears[i];
        if (t < c.at) continue;
        this.#clears.splice(i--, 1);
        this.apply({ d: 0, k: c.k, a: HEALTHY[c.k] });
        this.wireEpoch++;
      }
      while (t >= due) {
        const e = events[next++];
        this.apply(e);
        this.wireEpoch++;
        observer.applied(e, t);
        due = next < events.length ? due + events[next].d : Infinity;
      }
      const violation = observer.tick(t);
      if (violation !== undefined) return `at ${t} ms (after ${next} of ${events.length} events): ${violation}`;
    }
    return undefined;
  }
}

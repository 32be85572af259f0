// The current the pilot offers the EV, and the pilot generator that offers it.
// The offer starts from the configured capacity ($SC, per service level,
// never above the installation's maximum) and is cut by two limits: thermal
// throttling (½, ¼, never below 6 A) and the heartbeat fallback while the
// gateway's supervision pulse is missed ($SY). Whenever the offer changes
// while the pilot runs PWM, the new duty goes out at once.

import type { PilotOutput } from '../ports';
import { restingSense, type Sense } from './faults';
import { Heartbeat, Trigger } from './heartbeat';
import { ampsToCount, MIN_AMPS, offerable } from './pilot';
import { levelMaxAmps, levelOf } from './service-level';
import type { SettingsStore } from './settings';
import { DEFAULT_THERMAL, Thermal, thermalLevel, thermalLimit, type ThermalThresholds } from './temperature';

/** What the pilot generator does: steady +12 V (no offer), steady −12 V (disabled), or PWM (an offer). */
export type PilotMode = 'high' | 'low' | 'pwm';

/** `$SC` answered: whether the request stood as asked, and the capacity now in force. */
export interface CurrentResult {
  ok: boolean;
  amps: number;
}

export interface CurrentOfferOptions {
  pilot: PilotOutput;
  settings: SettingsStore;
  /** The board's maximum, amps. */
  boardMaxAmps: number;
  thermal?: ThermalThresholds;
  /** When heartbeat supervision starts, ms. */
  now: number;
  /** Where the offer and the thermal level are kept (the controller's Sense, faults.ts). */
  sense?: OfferSense;
}

/** The offer's fields of the controller's Sense (faults.ts), which the offer keeps. */
export type OfferSense = Pick<Sense, 'offeredAmps' | 'thermal' | 'pilotMode'>;

export class CurrentOffer {
  /** `$SY` supervision: its fallback replaces the capacity while a pulse is missed. */
  readonly heartbeat: Heartbeat;
  readonly #pilot: PilotOutput;
  readonly #settings: SettingsStore;
  readonly #boardMaxAmps: number;
  readonly #thresholds: ThermalThresholds;
  /** The amps the running PWM offers (0 unless PWM). */
  #pwmAmps = 0;
  #capacity: number;
  /** The thermal level and thermalLimit(thermal, capacity), kept where the periodic checks read them on every tick. */
  readonly #sense: OfferSense;

  constructor(options: CurrentOfferOptions) {
    this.#pilot = options.pilot;
    this.#settings = options.settings;
    this.#boardMaxAmps = options.boardMaxAmps;
    this.#thresholds = options.thermal ?? DEFAULT_THERMAL;
    const s = options.settings.values;
    this.heartbeat = new Heartbeat(s.heartbeatInterval, s.heartbeatAmps, options.now);
    this.#capacity = this.configuredAmps;
    this.#sense = options.sense ?? restingSense();
    this.#sense.thermal = Thermal.Full;
    this.#sense.offeredAmps = this.#capacity;
    this.#sense.pilotMode = 'high';
  }

  /** Kept in the sense only (the control tick reads it there on every tick). */
  get mode(): PilotMode {
    return this.#sense.pilotMode;
  }

  /** The current offered (capacity after the thermal limit), amps. */
  get amps(): number {
    return this.#sense.offeredAmps;
  }

  /** The requested capacity, volatile or saved, amps. */
  get capacity(): number {
    return this.#capacity;
  }

  /** The highest current this installation allows: L1 24 A; L2 the board's maximum or `$SC n M`. */
  get maxAmps(): number {
    const s = this.#settings.values;
    return levelMaxAmps(levelOf(s.flags), this.#boardMaxAmps, s.hardwareAmps);
  }

  /** The saved `$SC` current of the service level in force, amps. */
  get configuredAmps(): number {
    const s = this.#settings.values;
    return levelOf(s.flags) === 2 ? s.l2Amps : s.l1Amps;
  }

  /** The thermal level (temperature.ts `Thermal`); Panic is the controller's over-temperature fault. */
  get thermal(): number {
    return this.#sense.thermal;
  }

  // --- The pilot generator

  /** Steady +12 V: no offer; an EV sees "stop" but plugging in and out is still seen. */
  high(): void {
    this.#sense.pilotMode = 'high';
    this.#pwmAmps = 0;
    this.#pilot.high();
  }

  /** Steady −12 V: disabled, or the power-on self test. */
  low(): void {
    this.#sense.pilotMode = 'low';
    this.#pwmAmps = 0;
    this.#pilot.low();
  }

  /** PWM offering `amps`; writes the port only when the duty changes. */
  advertise(): void {
    const amps = this.amps;
    if (this.#sense.pilotMode === 'pwm' && this.#pwmAmps === amps) return;
    this.#sense.pilotMode = 'pwm';
    this.#pwmAmps = amps;
    this.#pilot.pwm(ampsToCount(amps, this.#pilot.frequency, this.#pilot.resolution));
  }

  // --- The capacity

  /**
   * `$SC`: out-of-range requests are clamped and refused (ok false, with the
   * capacity now in force). `save` writes it as the service level's
   * configured current; `hardware` sets the one-time maximum (`$SC n M`).
   */
  setCurrent(amps: number, mode: 'save' | 'volatile' | 'hardware'): CurrentResult {
    const s = this.#settings.values;
    if (!Number.isInteger(amps)) return { ok: false, amps: this.#capacity };
    if (mode === 'hardware') {
      if (s.hardwareAmps !== 0 || amps < MIN_AMPS || amps > this.#boardMaxAmps) return { ok: false, amps: s.hardwareAmps || this.#boardMaxAmps };
      s.hardwareAmps = amps;
      if (this.#capacity > amps) this.#apply(amps);
      this.#settings.save();
      return { ok: true, amps };
    }
    const max = this.maxAmps;
    const a = offerable(Math.min(max, Math.max(MIN_AMPS, amps)));
    // While hot, the current may be lowered but not raised.
    if (this.#sense.thermal !== Thermal.Full && a > this.#capacity) return { ok: false, amps: this.#capacity };
    if (mode === 'save') {
      if (levelOf(s.flags) === 2) s.l2Amps = a;
      else s.l1Amps = a;
      this.#settings.save();
    }
    this.#apply(a);
    return { ok: a === amps, amps: a };
  }

  /** Back to the configured capacity (after a service-level change or an acknowledged heartbeat miss). */
  restore(): void {
    this.#apply(Math.min(this.configuredAmps, this.maxAmps));
  }

  // --- The limits

  /** A new reading of the hottest sensor (null: none, or the check is off). */
  temperature(hottest: number | null): void {
    this.#sense.thermal = thermalLevel(this.#sense.thermal, hottest, this.#thresholds);
    this.#limit();
  }

  /** Forgets the thermal level (a restart). */
  cool(): void {
    this.#sense.thermal = Thermal.Full;
    this.#limit();
  }

  /**
   * A pulse was just missed (`heartbeat.expired(now)` said so, on the control tick): the offer falls
   * back. False when the fallback is under the 6 A a pilot can offer: the caller must stop offering
   * (sleep), as a load-sharing member whose fallback share is 0 must (OpenEVSE would offer 6 A).
   */
  fallBack(): boolean {
    const fallback = this.heartbeat.fallback;
    if (fallback < MIN_AMPS) return false;
    if (fallback < this.#capacity) this.#apply(fallback);
    return true;
  }

  /** `$SY interval amps`: turning supervision off ends a fallback; saved when changed. */
  configureHeartbeat(interval: number, amps: number, now: number): void {
    if (interval === 0 && this.heartbeat.trigger === Trigger.Missed) this.restore();
    this.heartbeat.configure(interval, amps, now);
    const s = this.#settings.values;
    if (s.heartbeatInterval !== interval || s.heartbeatAmps !== amps) {
      s.heartbeatInterval = interval;
      s.heartbeatAmps = amps;
      this.#settings.save();
    }
  }

  /** `$SY 165`: acknowledges a missed pulse and restores the capacity (refused while hot). */
  acknowledgeHeartbeat(now: number): boolean {
    if (this.heartbeat.trigger !== Trigger.Missed) {
      // The right cookie with nothing to acknowledge is fine (OpenEVSE answers $OK).
      this.heartbeat.pulse(now);
      return true;
    }
    if (this.#sense.thermal !== Thermal.Full) return false;
    this.heartbeat.acknowledge(now);
    this.restore();
    return true;
  }

  #apply(amps: number): void {
    this.#capacity = offerable(amps);
    this.#limit();
  }

  /** Recomputes the offer after the capacity or the thermal level changed, and sends it if PWM runs. */
  #limit(): void {
    this.#sense.offeredAmps = thermalLimit(this.#sense.thermal, this.#capacity, MIN_AMPS);
    if (this.#sense.pilotMode === 'pwm') this.advertise();
  }
}

// Sleeping and waking by hand and by the clock: a short press (or `$F1`)
// toggles sleep, the delay timer's window (delay-timer.ts) puts the station
// to sleep and wakes it, and a press or a session limit overrides the window
// until the state agrees with it again. Each acts through the state
// machine's own events (`sleep`, `enable`); none of it applies while a fault
// stands.

import type { DelayTimer } from './delay-timer';
import { windowEnabled } from './delay-timer';
import { EvseState, isFaultState } from './evse-state';
import type { FaultSupervisor } from './faults';
import type { Rtc } from './rtc';
import type { SettingsStore } from './settings';
import type { SleepReason } from './sleep';

/** The state machine as these rules act on it (state-machine.ts). */
export interface Pausable {
  readonly state: number;
  readonly sleepReason: SleepReason | undefined;
  /** The `$ST` window's manual override. */
  readonly delayTimer: DelayTimer;
  sleep(reason: SleepReason): boolean;
  enable(): boolean;
}

export class PauseControl {
  readonly #machine: Pausable;
  readonly #settings: SettingsStore;
  readonly #faults: FaultSupervisor;

  constructor(machine: Pausable, settings: SettingsStore, faults: FaultSupervisor) {
    this.#machine = machine;
    this.#settings = settings;
    this.#faults = faults;
  }

  /** A short press or `$F1`: sleep or wake. The user overrides the delay timer until its window agrees again. */
  toggle(): void {
    const m = this.#machine;
    const st = m.state;
    const resting = st === EvseState.Sleeping || st === EvseState.Disabled;
    if (!resting && (this.#faults.standing !== 0 || isFaultState(st))) return;
    if (windowEnabled(this.#settings.values.timer)) m.delayTimer.override();
    if (resting) m.enable();
    else m.sleep('button');
  }

  /** The delay timer's window (checked once a second); false when the state is not one it acts on (ask again next tick). */
  followTimer(rtc: Rtc): boolean {
    const m = this.#machine;
    const st = m.state;
    if (st === EvseState.Disabled || st === EvseState.Unknown || isFaultState(st) || this.#faults.standing !== 0) return false;
    const sleeping = st === EvseState.Sleeping;
    const action = m.delayTimer.decide(this.#settings.values.timer, rtc.minuteOfDay(), sleeping, sleeping && m.sleepReason === 'timer');
    if (action === 'sleep') m.sleep('timer');
    else if (action === 'wake') m.enable();
    return true;
  }

  /** `$S3`/`$SH` are accepted only with an EV connected (B or C); a limit says "charge now, this much", so it overrides the delay timer. */
  acceptsLimits(): boolean {
    const st = this.#machine.state;
    if (st !== EvseState.B && st !== EvseState.C) return false;
    if (windowEnabled(this.#settings.values.timer)) this.#machine.delayTimer.override();
    return true;
  }
}

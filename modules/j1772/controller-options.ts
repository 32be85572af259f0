// What a controller is built from: the host's ports and the tuning a board
// or a test may change (tick, ammeter, over-current, retries, voltages), with
// the defaults and limits each has, and the events a controller tells its
// listeners (controller.ts).

import type {
  AcSense, ButtonInput, Clock, CurrentSampler, GfciInput, GfciTestOutput, Logger, PilotOutput, PilotSampler,
  RelayOutput, Storage, TemperatureSensors, Timers,
} from '../ports';
import type { OverCurrentOptions } from './overcurrent';
import type { PilotThresholds } from './pilot';
import type { ThermalThresholds } from './temperature';

// Names the first versions exported from controller.ts (which re-exports this file), kept for importers.
export { DEBOUNCE_DOWN_MS, DEBOUNCE_MS, POWER_OFF_MS } from './debounce';
export { EARLY_FAULT_MS, type HardFault } from './faults';
export { GROUND_CHECK_DELAY_MS } from './ground';
export { type CurrentResult } from './offer';
export { RELAY_SETTLE_MS } from './post';
export { SLEEP_RELAY_MILLIAMPS, SLEEP_RELAY_TIMEOUT_MS } from './sleep';
export { STUCK_RELAY_DELAY_MS } from './stuck-relay';
export type { OverCurrentOptions } from './overcurrent';

export { TEMPERATURE_INTERVAL_MS } from './control-loop';

export interface ControllerOptions {
  clock: Clock;
  timers: Timers;
  pilot: PilotOutput;
  pilotSampler: PilotSampler;
  relay: RelayOutput;
  acSense: AcSense;
  gfci: GfciInput;
  gfciTest: GfciTestOutput;
  current?: CurrentSampler;
  temperatures?: TemperatureSensors;
  /** The front-panel button's level, polled each tick (hosts with edges only call `button()`). */
  button?: ButtonInput;
  storage?: Storage;
  logger?: Logger;
  thresholds?: PilotThresholds;
  thermal?: ThermalThresholds;
  /** Control loop period, ms (default 10; at most 50, so power goes off within 100 ms of the EV leaving C). */
  tickMs?: number;
  /** How often the ammeter takes one mains-cycle reading while charging, ms (default 100). */
  ammeterIntervalMs?: number;
  /** Readings averaged into one reported current (default 8). */
  ammeterBlock?: number;
  /** Over-current protection; `false` leaves the check out. Default 5 A for 10 s. */
  overCurrent?: OverCurrentOptions | false;
  /** Hardware maximum, amps (default 80). */
  maxAmps?: number;
  /** Voltage assumed for energy at L1 / L2 until `$SV`, mV. */
  l1Millivolts?: number;
  l2Millivolts?: number;
  /** Firmware version for $AB / $GV. */
  firmware?: string;
  /** GFCI / no-ground retry policy (defaults in faults.ts: UL 2231 guidance, 15 min × 4). */
  retryDelayMs?: number;
  retryCount?: number;
  /** While charging, save the lifetime energy once this many Wh and a minute are unsaved (default 10, session.ts; 0: only at unplug and stop). */
  energySaveWh?: number;
  /** Compare what `$AT` reports at the end of every tick instead of only after something moved (state-machine.ts; for the case that holds the two equal). */
  atEveryTick?: boolean;
}

/**
 * What listeners hear: 'boot' after the self test, 'change' after anything
 * $AT may report, 'press-short'/'press-long' for presses of a disabled button
 * ($AN 0/1), 'wifi' for a 10-second press ($WF 02).
 */
export type ControllerEvent = 'boot' | 'change' | 'press-short' | 'press-long' | 'wifi';

// Clock and Timers ports over Moddable's `time` and `timer` modules.

import Time from 'time';
import Timer from 'timer';
import type { Clock, TimerId, Timers } from '../../modules/ports';

/**
 * Monotonic time from `Time.ticks` (milliseconds since boot, an int32 in XS
 * that wraps after 24.8 days), extended to a number that never wraps: each
 * reading adds the signed 32-bit difference from the previous one, which is
 * exact as long as readings come less than 24 days apart (the control loop
 * reads every few hundred milliseconds). Wall time is `Date.now()`, right once
 * SNTP (or the simulator's host clock) has set it.
 */
export class ModdableClock implements Clock, Timers {
  #last: number;
  #now = 0;

  constructor() {
    this.#last = Time.ticks;
  }

  now(): number {
    const ticks = Time.ticks;
    const delta = (ticks - this.#last) | 0;
    this.#last = ticks;
    if (delta > 0) this.#now += delta;
    return this.#now;
  }

  wall(): number {
    return Date.now();
  }

  // The callback goes to Timer as it is, not wrapped: a wrapper was a closure
  // and its environment (6 slots) for every pending timer, 11 of them at the
  // ESP32 profile's peak (docs/moddable.md "Memory"). Timer calls it with the
  // timer as its argument, which the port's `() => void` callbacks ignore
  // (every caller passes a function of no parameters).
  set(callback: () => void, ms: number): TimerId {
    return Timer.set(callback, Math.max(0, ms));
  }

  repeat(callback: () => void, ms: number): TimerId {
    return Timer.repeat(callback, Math.max(1, ms));
  }

  clear(id: TimerId): void {
    if (id !== undefined && id !== null) Timer.clear(id as Timer);
  }
}

/**
 * Microseconds for busy-wait sampling loops: `Time.microseconds` where the
 * platform has it (ESP32), else milliseconds scaled.
 */
export function micros(): number {
  return Time.microseconds ?? Time.ticks * 1000;
}

// The controller's real-time clock ($S1 sets it, $GT reads it, the delay
// timer follows it): the host's wall clock plus an offset. Fields are local
// time as the user set them; they are kept as the UTC fields of a Date value
// so that no time zone of the host can shift them.

import type { Clock } from '../ports';

export interface RtcFields {
  /** Two-digit year, 2000-based. */
  yy: number;
  mo: number;
  dd: number;
  hh: number;
  mm: number;
  ss: number;
}

export class Rtc {
  readonly #clock: Clock;
  #offset = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Milliseconds whose UTC fields are the local date and time. */
  now(): number {
    return this.#clock.wall() + this.#offset;
  }

  /** $S1: false (and unchanged) for a date that does not exist. */
  set(f: RtcFields): boolean {
    const ok = [f.yy, f.mo, f.dd, f.hh, f.mm, f.ss].every((x) => Number.isInteger(x) && x >= 0);
    if (!ok || f.yy > 99 || f.mo < 1 || f.mo > 12 || f.dd < 1 || f.hh > 23 || f.mm > 59 || f.ss > 59) return false;
    const t = Date.UTC(2000 + f.yy, f.mo - 1, f.dd, f.hh, f.mm, f.ss);
    if (new Date(t).getUTCDate() !== f.dd) return false; // 31 April, 30 February…
    this.#offset = t - this.#clock.wall();
    return true;
  }

  fields(): RtcFields {
    const d = new Date(this.now());
    return { yy: d.getUTCFullYear() % 100, mo: d.getUTCMonth() + 1, dd: d.getUTCDate(), hh: d.getUTCHours(), mm: d.getUTCMinutes(), ss: d.getUTCSeconds() };
  }

  /** Minutes since local midnight. */
  minuteOfDay(): number {
    const d = new Date(this.now());
    return d.getUTCHours() * 60 + d.getUTCMinutes();
  }
}

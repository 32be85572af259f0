// Heartbeat supervision ($SY / $GY): the gateway must pulse within `interval`
// seconds, or the controller falls back to a safe current until the gateway
// acknowledges the miss. 32-bit-safe where the AVR original wrapped at 66 s.

/** `$SY 165` (0xA5) acknowledges a missed pulse. */
export const ACK_COOKIE = 0xa5;

export const Trigger = Object.freeze({
  /** No pulse was ever missed. */
  Never: 0,
  /** A pulse was missed and the gateway acknowledged it. */
  Acknowledged: 1,
  /** A pulse was missed and not yet acknowledged: the fallback current applies. */
  Missed: 2,
});

export class Heartbeat {
  #interval: number;
  #fallback: number;
  #trigger: number = Trigger.Never;
  #last: number;

  /** `interval` in seconds (0 = off), `fallback` in amps. */
  constructor(interval: number, fallback: number, now: number) {
    this.#interval = interval;
    this.#fallback = fallback;
    this.#last = now;
  }

  get interval(): number {
    return this.#interval;
  }

  get fallback(): number {
    return this.#fallback;
  }

  get trigger(): number {
    return this.#trigger;
  }

  /** `$SY interval amps`: (re)configures, restarts the timer and clears the trigger. */
  configure(interval: number, fallback: number, now: number): void {
    this.#interval = interval;
    this.#fallback = fallback;
    this.#trigger = Trigger.Never;
    this.#last = now;
  }

  /** `$SY`: a pulse. Refused (false) while a miss is unacknowledged; the timer restarts either way. */
  pulse(now: number): boolean {
    this.#last = now;
    return this.#trigger !== Trigger.Missed;
  }

  /** `$SY 165`: true when it acknowledged an outstanding miss (the caller restores the current). */
  acknowledge(now: number): boolean {
    this.#last = now;
    if (this.#trigger !== Trigger.Missed) return false;
    this.#trigger = Trigger.Acknowledged;
    return true;
  }

  /** True exactly when a pulse has just been missed; the timer restarts. */
  expired(now: number): boolean {
    if (this.#interval <= 0 || now - this.#last <= this.#interval * 1000) return false;
    this.#last = now;
    this.#trigger = Trigger.Missed;
    return true;
  }
}

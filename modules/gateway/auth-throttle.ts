// The decaying throttle on wrong HTTP credentials of OpenEVSE's WiFi firmware
// (web_auth.cpp): every wrong Basic credential counts, one failure is
// forgiven per minute, and at ten recent failures wrong credentials get 429
// instead of 401. Only failed attempts are ever refused: a request with the
// right credentials always gets in and clears the count, so a flood of bad
// guesses cannot lock out Home Assistant or evcc holding the password.

/** One failure forgiven per this many ms (AUTH_THROTTLE_DECAY_SECS). */
export const DECAY_MS = 60000;
/** Locked at this many recent failures (AUTH_THROTTLE_LOCK_AT). */
export const LOCK_AT = 10;

export class AuthThrottle {
  #fails = 0;
  #updated = 0;

  /** Failures left after the decay, at monotonic time `now` (ms). */
  recent(now: number): number {
    if (this.#fails === 0) return 0;
    const decay = Math.floor(Math.max(0, now - this.#updated) / DECAY_MS);
    return decay >= this.#fails ? 0 : this.#fails - decay;
  }

  failure(now: number): void {
    this.#fails = this.recent(now) + 1;
    this.#updated = now;
  }

  success(now: number): void {
    this.#fails = 0;
    this.#updated = now;
  }

  locked(now: number): boolean {
    return this.recent(now) >= LOCK_AT;
  }
}

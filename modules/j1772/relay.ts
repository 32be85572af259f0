// The contactor as the controller keeps track of it: what it last commanded,
// when the contacts last moved (the ground and stuck-relay checks time from
// that), when they last closed (the UL early-fault rule), and an opening
// put off so an EV can stop drawing first (over-temperature, over-current).

import type { Clock, RelayOutput } from '../ports';

export class Relay {
  readonly #output: RelayOutput;
  readonly #clock: Clock;
  #closed = false;
  #changedAt = 0;
  #closedAt = -1;
  #openAt = -1;

  constructor(output: RelayOutput, clock: Clock) {
    this.#output = output;
    this.#clock = clock;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** When the contacts last opened or closed, ms. */
  get changedAt(): number {
    return this.#changedAt;
  }

  /** When the contacts last closed; -1 never. */
  get closedAt(): number {
    return this.#closedAt;
  }

  /** An opening is pending: the relay stays closed on purpose for now. */
  get opening(): boolean {
    return this.#openAt >= 0;
  }

  /** Opens or closes now, cancelling any pending opening. */
  set(closed: boolean): void {
    this.#openAt = -1;
    if (closed === this.#closed) return;
    // Bookkeeping first: closing can raise a GFCI edge that re-enters the
    // controller (gfciTripped → open) before the port call returns.
    this.#closed = closed;
    this.#changedAt = this.#clock.now();
    if (closed) this.#closedAt = this.#changedAt;
    this.#output.set(closed);
  }

  /** Opens `ms` from now (at once when already open or `ms` is 0); never later than an opening already due. */
  openAfter(ms: number): void {
    if (ms > 0 && this.#closed) {
      const at = this.#clock.now() + ms;
      if (this.#openAt < 0 || at < this.#openAt) this.#openAt = at;
    } else this.set(false);
  }

  /** Carries out a pending opening once it is due; call on every tick. */
  poll(now: number): void {
    if (this.#openAt >= 0 && now >= this.#openAt) this.set(false);
  }
}

// The contactor as the controller keeps track of it: what it last commanded,
// when the contacts last moved (the ground and stuck-relay checks time from
// that), when they last closed (the UL early-fault rule), and an opening
// put off so an EV can stop drawing first (over-temperature, over-current).

import type { Clock, RelayOutput } from '../ports';
import { restingSense, type Sense } from './faults';

/** The relay's fields of the controller's Sense (faults.ts), which the relay keeps. */
export type RelaySense = Pick<Sense, 'relayClosed' | 'relayChangedAt' | 'relayOpening'>;

export class Relay {
  readonly #output: RelayOutput;
  readonly #clock: Clock;
  /** Closed, last change and pending opening live here: the periodic checks read them on every tick without a call. */
  readonly #sense: RelaySense;
  #closedAt = -1;
  #openAt = -1;

  constructor(output: RelayOutput, clock: Clock, sense: RelaySense = restingSense()) {
    this.#output = output;
    this.#clock = clock;
    this.#sense = sense;
    sense.relayClosed = false;
    sense.relayChangedAt = 0;
    sense.relayOpening = false;
  }

  get closed(): boolean {
    return this.#sense.relayClosed;
  }

  /** When the contacts last opened or closed, ms. */
  get changedAt(): number {
    return this.#sense.relayChangedAt;
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
    const sense = this.#sense;
    this.#openAt = -1;
    sense.relayOpening = false;
    if (closed === sense.relayClosed) return;
    // Bookkeeping first: closing can raise a GFCI edge that re-enters the
    // controller (gfciTripped → open) before the port call returns.
    sense.relayClosed = closed;
    const now = this.#clock.now();
    sense.relayChangedAt = now;
    if (closed) this.#closedAt = now;
    this.#output.set(closed);
  }

  /** Opens `ms` from now (at once when already open or `ms` is 0); never later than an opening already due. */
  openAfter(ms: number): void {
    if (ms > 0 && this.#sense.relayClosed) {
      const at = this.#clock.now() + ms;
      if (this.#openAt < 0 || at < this.#openAt) {
        this.#openAt = at;
        this.#sense.relayOpening = at >= 0;
      }
    } else this.set(false);
  }

  /** Carries out a pending opening once it is due; call on every tick. */
  poll(now: number): void {
    if (this.#openAt >= 0 && now >= this.#openAt) this.set(false);
  }
}

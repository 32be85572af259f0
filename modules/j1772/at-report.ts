// What `$AT` reports (the state, the pilot, the volatile flags, the current
// offered, the fault latch and the session limits) as it stood when last
// compared, and the comparison that tells whether it moved since. The state
// machine asks at the end of a tick, and only when something it reports may
// have changed (state-machine.ts `#moved`): most ticks change none of it, and
// the comparison of seven fields was a sixth of a tick's cost on the XS meter.

export class AtReport {
  #state = -1;
  #pilot = -1;
  #vflags = -1;
  /** The current offered when last compared, amps (the tick compares it on its own: the offer changes it without telling the machine). */
  amps = -1;
  #latch = '';
  #time = -1;
  #energy = -1;

  /** Records what `$AT` reports now; true when any of it differs from the last record. */
  moved(state: number, pilot: number, vflags: number, amps: number, latch: string, time: number, energy: number): boolean {
    if (
      this.#state === state && this.#pilot === pilot && this.#vflags === vflags && this.amps === amps &&
      this.#latch === latch && this.#time === time && this.#energy === energy
    )
      return false;
    this.#state = state;
    this.#pilot = pilot;
    this.#vflags = vflags;
    this.amps = amps;
    this.#latch = latch;
    this.#time = time;
    this.#energy = energy;
    return true;
  }
}

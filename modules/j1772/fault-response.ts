// What the station does about a fault: when one is raised, the relay opens
// (at once, or after the table's grace, never later than an opening already
// due), the pilot goes to +12 V, the trip is counted and saved; on every tick
// while one stands, the EV must show A for the power-off debounce before an
// unplug clears its latch, and the retry policy may clear it. The table itself
// (which fault, which latch, which grace) is faults.ts; the state shown is the
// state machine's (state-machine.ts).

import type { Clock, GfciInput, Logger } from '../ports';
import { DEBOUNCE_DOWN_MS } from './debounce';
import { EvseState } from './evse-state';
import type { FaultSpec, FaultSupervisor } from './faults';
import type { GfciSelfTest } from './gfci';
import type { CurrentOffer } from './offer';
import type { Relay } from './relay';
import type { SettingsStore } from './settings';

export interface FaultResponseOptions {
  clock: Clock;
  gfci: GfciInput;
  relay: Relay;
  offer: CurrentOffer;
  settings: SettingsStore;
  faults: FaultSupervisor;
  selfTest: GfciSelfTest;
  logger?: Logger;
}

export class FaultResponse {
  readonly #o: FaultResponseOptions;
  /** In a fault state: since when the pilot has shown A (-1: it does not). */
  #unpluggedSince = -1;

  constructor(options: FaultResponseOptions) {
    this.#o = options;
  }

  /**
   * Raises `state` as the table in faults.ts describes it and acts on it; the
   * table's row, or undefined when the standing fault stays (a weaker fault
   * does not replace it: faults.ts `mayReplace`).
   */
  raise(state: number): FaultSpec | undefined {
    const o = this.#o;
    // The GFCI edge has already opened the relay, so "early" is judged by the last close.
    const spec = o.faults.raise(state, o.clock.now(), o.relay.closedAt);
    if (!spec) return undefined;
    o.selfTest.cancel();
    o.relay.openAfter(spec.relayDelayMs);
    o.offer.high();
    if (spec.counter) o.settings.count(spec.counter);
    o.settings.save();
    const hard = o.faults.hard;
    o.logger?.log(`controller: fault ${state}${hard === 'none' ? '' : ` (latched until ${hard === 'unplug' ? 'unplug' : 'power cycle'})`}`);
    return spec;
  }

  /**
   * A tick in a fault state, after the grace opening and the periodic checks
   * (a stronger fault may have arrived): true when the fault no longer
   * stands (unplugged, or retried) and the state starts again from Unknown.
   */
  tick(now: number, pilot: string): boolean {
    const o = this.#o;
    const standing = o.faults.standing;
    // An unplug clears a latch only once the pilot has shown A for the power-off debounce: one noisy 12 V reading is not an unplug.
    if (pilot !== 'A') this.#unpluggedSince = -1;
    else if (this.#unpluggedSince < 0) this.#unpluggedSince = now;
    const unplugged = this.#unpluggedSince >= 0 && now - this.#unpluggedSince >= DEBOUNCE_DOWN_MS;
    const step = o.faults.step(now, unplugged, standing === EvseState.GfciFault && o.gfci.read());
    if (step === 'unplugged') {
      if (o.relay.opening) o.relay.set(false);
      return true;
    }
    if (step === 'lockout') {
      o.logger?.log(`controller: fault ${standing} retried ${o.faults.retry.count} times; latched until unplug`);
    } else if (step === 'retry') {
      o.logger?.log(`controller: retrying after fault ${standing} (${o.faults.retry.retries}/${o.faults.retry.count})`);
      return true;
    }
    return false;
  }
}

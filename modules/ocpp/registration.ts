// The charge point's registration with the central system (OCPP 1.6 §4.2,
// §4.6): BootNotification on each connection, asked again at the central
// system's interval while it answers Pending or Rejected, and once Accepted
// the Heartbeat at HeartbeatInterval. Both answers carry the central system's
// time, handed to the host.

import type { TimerId } from '../ports';
import type { CallQueue } from './call-queue';
import type { ChargePointOptions } from './charge-point-options';
import type { Configuration } from './configuration';
import { parseTime } from './framing';

export type Registration = 'Accepted' | 'Pending' | 'Rejected';

export interface Identity {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  firmwareVersion?: string;
  meterSerialNumber?: string;
}

/** Who registers (the charge point): its options and parts, and a method rather than callbacks (slots on the device). */
export interface RegistrarOwner {
  readonly o: Pick<ChargePointOptions, 'timers' | 'identity' | 'onTime'>;
  readonly calls: CallQueue;
  readonly config: Configuration;
  /** A BootNotification was answered; `firstAccepted`: accepted, and no boot was before on this connection (report the connectors afresh). */
  registrationAnswered(firstAccepted: boolean): void;
}

/** While Pending or Rejected without an interval from the central system, s. */
const DEFAULT_RETRY_S = 60;

export class Registrar {
  readonly #owner: RegistrarOwner;
  #status?: Registration;
  #retry?: TimerId;
  #heartbeat?: TimerId;

  constructor(owner: RegistrarOwner) {
    this.#owner = owner;
  }

  /** The central system's last answer on this connection (undefined: none yet). */
  get status(): Registration | undefined {
    return this.#status;
  }

  /** Sends BootNotification (on connecting, and when the central system triggers it). */
  boot(): void {
    const owner = this.#owner;
    owner.calls.call('BootNotification', { ...owner.o.identity }, (result) => {
      if (!result) return; // offline or timed out: the reconnect (or the retry below) boots again
      const status = result.status as Registration;
      const interval = typeof result.interval === 'number' ? result.interval : 0;
      this.#time(result.currentTime);
      this.#status = status;
      let first = false;
      if (status === 'Accepted') {
        if (interval > 0) owner.config.change('HeartbeatInterval', String(interval));
        this.#startHeartbeat();
        // A boot the central system triggered on a live connection needs no new status reports.
        first = !owner.calls.bootAccepted;
        owner.calls.bootAccepted = true;
      } else {
        // Pending or Rejected: ask again after the central system's interval (§4.2.1).
        const wait = (interval > 0 ? interval : DEFAULT_RETRY_S) * 1000;
        this.#retry = owner.o.timers.set(() => {
          this.#retry = undefined;
          this.boot();
        }, wait);
      }
      owner.registrationAnswered(first);
    });
  }

  heartbeat(): void {
    this.#owner.calls.call('Heartbeat', {}, (result) => result && this.#time(result.currentTime));
  }

  /** HeartbeatInterval changed: a running heartbeat takes the new interval. */
  intervalChanged(): void {
    if (this.#heartbeat !== undefined) this.#startHeartbeat();
  }

  /** The connection is gone: the next one registers afresh. */
  closed(): void {
    this.#status = undefined;
    const timers = this.#owner.o.timers;
    if (this.#retry !== undefined) timers.clear(this.#retry);
    if (this.#heartbeat !== undefined) timers.clear(this.#heartbeat);
    this.#retry = this.#heartbeat = undefined;
  }

  #startHeartbeat(): void {
    const owner = this.#owner;
    if (this.#heartbeat !== undefined) owner.o.timers.clear(this.#heartbeat);
    if (!owner.calls.bootAccepted && this.#status !== 'Accepted') return;
    this.#heartbeat = owner.o.timers.repeat(() => this.heartbeat(), owner.config.int('HeartbeatInterval') * 1000);
  }

  #time(v: unknown): void {
    const t = parseTime(v);
    if (Number.isFinite(t)) this.#owner.o.onTime?.(t);
  }
}

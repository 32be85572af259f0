// The charge point's registration with the central system (OCPP 1.6 §4.2,
// §4.6): BootNotification on each connection, asked again at the central
// system's interval while it answers Pending or Rejected, and once Accepted
// the Heartbeat at HeartbeatInterval. Both answers carry the central system's
// time, handed to the host.

import type { TimerId, Timers } from '../ports';
import type { CallQueue } from './call-queue';
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

export interface RegistrarOptions {
  calls: CallQueue;
  config: Configuration;
  timers: Timers;
  identity: Identity;
  onTime?: (utcMs: number) => void;
  /** Accepted; `first` when no boot was accepted before on this connection (then connectors are reported afresh). */
  onAccepted: (first: boolean) => void;
  /** A BootNotification was answered (the registration may have changed). */
  onAnswer: () => void;
}

/** While Pending or Rejected without an interval from the central system, s. */
const DEFAULT_RETRY_S = 60;

export class Registrar {
  readonly #o: RegistrarOptions;
  #status?: Registration;
  #retry?: TimerId;
  #heartbeat?: TimerId;

  constructor(options: RegistrarOptions) {
    this.#o = options;
  }

  /** The central system's last answer on this connection (undefined: none yet). */
  get status(): Registration | undefined {
    return this.#status;
  }

  /** Sends BootNotification (on connecting, and when the central system triggers it). */
  boot(): void {
    const o = this.#o;
    o.calls.call('BootNotification', { ...o.identity }, (result) => {
      if (!result) return; // offline or timed out: the reconnect (or the retry below) boots again
      const status = result.status as Registration;
      const interval = typeof result.interval === 'number' ? result.interval : 0;
      this.#time(result.currentTime);
      this.#status = status;
      if (status === 'Accepted') {
        if (interval > 0) o.config.change('HeartbeatInterval', String(interval));
        this.#startHeartbeat();
        // A boot the central system triggered on a live connection needs no new status reports.
        const first = !o.calls.bootAccepted;
        o.calls.bootAccepted = true;
        o.onAccepted(first);
      } else {
        // Pending or Rejected: ask again after the central system's interval (§4.2.1).
        const wait = (interval > 0 ? interval : DEFAULT_RETRY_S) * 1000;
        this.#retry = o.timers.set(() => {
          this.#retry = undefined;
          this.boot();
        }, wait);
      }
      o.onAnswer();
    });
  }

  heartbeat(): void {
    this.#o.calls.call('Heartbeat', {}, (result) => result && this.#time(result.currentTime));
  }

  /** HeartbeatInterval changed: a running heartbeat takes the new interval. */
  intervalChanged(): void {
    if (this.#heartbeat !== undefined) this.#startHeartbeat();
  }

  /** The connection is gone: the next one registers afresh. */
  closed(): void {
    this.#status = undefined;
    const timers = this.#o.timers;
    if (this.#retry !== undefined) timers.clear(this.#retry);
    if (this.#heartbeat !== undefined) timers.clear(this.#heartbeat);
    this.#retry = this.#heartbeat = undefined;
  }

  #startHeartbeat(): void {
    const o = this.#o;
    if (this.#heartbeat !== undefined) o.timers.clear(this.#heartbeat);
    if (!o.calls.bootAccepted && this.#status !== 'Accepted') return;
    this.#heartbeat = o.timers.repeat(() => this.heartbeat(), o.config.int('HeartbeatInterval') * 1000);
  }

  #time(v: unknown): void {
    const t = parseTime(v);
    if (Number.isFinite(t)) this.#o.onTime?.(t);
  }
}

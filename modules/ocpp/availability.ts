// ChangeAvailability's state (OCPP 1.6 §5.2): whether the charge point
// (connector 0) and its one connector are operative, kept across restarts. A
// change that would take the connector out while a transaction runs is
// Scheduled: it waits here until the transaction ends.

import type { Storage } from '../ports';

const KEY = 'ocpp.avail';

export type AvailabilityStatus = 'Accepted' | 'Scheduled';

export class Availability {
  readonly #storage: Storage;
  /** Operative per connector (0 = the whole charge point). */
  #operative: [boolean, boolean] = [true, true];
  #scheduled?: [number, boolean];

  constructor(storage: Storage) {
    this.#storage = storage;
    try {
      const a = JSON.parse(storage.read(KEY) ?? '[true,true]') as [boolean, boolean];
      this.#operative = [a[0] !== false, a[1] !== false];
    } catch {
      // Operative is the safe default: a damaged flag must not take the charger out of service.
    }
  }

  /** The connector may charge: it and the charge point are operative. */
  get operative(): boolean {
    return this.#operative[0] && this.#operative[1];
  }

  /** The charge point (connector 0) is operative. */
  get chargePoint(): boolean {
    return this.#operative[0];
  }

  /** Applies and stores the change, or schedules it when it would take the connector out of a running transaction. */
  change(connectorId: number, operative: boolean, inTransaction: boolean): AvailabilityStatus {
    if (!operative && inTransaction) {
      this.#scheduled = [connectorId, operative];
      return 'Scheduled';
    }
    if (connectorId === 0) this.#operative = [operative, operative];
    else this.#operative[1] = operative;
    this.#storage.write(KEY, JSON.stringify(this.#operative));
    return 'Accepted';
  }

  /** The scheduled change, once (the transaction has ended). */
  takeScheduled(): [number, boolean] | undefined {
    const s = this.#scheduled;
    this.#scheduled = undefined;
    return s;
  }
}

// Transaction messages (StartTransaction, StopTransaction and the
// transaction's MeterValues) wait here until the central system has answered
// them, in order, across a loss of connection, a reboot or a power cut
// (OCPP 1.6 §4.7: they must be delivered). Each message is one storage key and
// a small index key holds the head, the next sequence number and the
// local-to-central transaction ids, so a power cut between two writes loses
// nothing: on load the keys past the index's tail are probed and adopted.
//
// Bounded: at `bound` messages the oldest MeterValues goes first; a Start or
// Stop is never dropped (a session without its end would bill forever).

import type { Storage } from '../ports';
import type { Payload } from './framing';

export type TxAction = 'StartTransaction' | 'StopTransaction' | 'MeterValues';

export interface QueuedMessage {
  action: TxAction;
  payload: Payload;
  /** The charger's own number for the transaction; the central system's id is filled in when it is known. */
  tx: number;
}

interface Meta {
  /** Sequence number of the oldest message kept. */
  h: number;
  /** Next sequence number. */
  t: number;
  /** Local transaction → central system's transactionId. */
  m: Record<string, number>;
  /** Next local transaction number. */
  n: number;
}

const META = 'ocpp.q';
const entryKey = (seq: number): string => `ocpp.q${seq}`;

export class TransactionQueue {
  readonly #storage: Storage;
  readonly #bound: number;
  #meta: Meta = { h: 0, t: 0, m: {}, n: 1 };
  /** Live sequence numbers in order, with their action (so drops need no storage read). */
  #index: { seq: number; action: TxAction }[] = [];
  #dropped = 0;

  constructor(options: { storage: Storage; bound?: number }) {
    this.#storage = options.storage;
    this.#bound = Math.max(2, options.bound ?? 200);
    try {
      const m = JSON.parse(options.storage.read(META) ?? 'null') as Meta | null;
      if (m && Number.isInteger(m.h) && Number.isInteger(m.t)) this.#meta = { h: m.h, t: m.t, m: m.m ?? {}, n: m.n ?? 1 };
    } catch {
      // A damaged index: the probe below still finds every message from 0.
    }
    let seq = this.#meta.h;
    for (; seq < this.#meta.t || this.#storage.read(entryKey(seq)) !== undefined; seq++) {
      const text = this.#storage.read(entryKey(seq));
      if (text === undefined) continue; // a dropped meter value
      try {
        const e = JSON.parse(text) as QueuedMessage;
        this.#index.push({ seq, action: e.action });
        if (e.tx >= this.#meta.n) this.#meta.n = e.tx + 1;
      } catch {
        this.#storage.remove(entryKey(seq));
      }
    }
    this.#meta.t = seq;
  }

  get size(): number {
    return this.#index.length;
  }

  /** Sequence number of the oldest message (the next one to push when empty). */
  get headSeq(): number {
    return this.#index[0]?.seq ?? this.#meta.t;
  }

  /** Sequence number the next pushed message will get. */
  get tail(): number {
    return this.#meta.t;
  }

  /** Meter values dropped because the bound was reached, since start. */
  get dropped(): number {
    return this.#dropped;
  }

  /** A number for a new transaction, unique across reboots. */
  newTransaction(): number {
    const n = this.#meta.n++;
    this.#saveMeta();
    return n;
  }

  push(message: QueuedMessage, headInFlight = false): void {
    if (this.#index.length >= this.#bound) {
      const from = headInFlight ? 1 : 0;
      const i = this.#index.findIndex((e, k) => k >= from && e.action === 'MeterValues');
      if (i >= 0) {
        this.#storage.remove(entryKey(this.#index[i].seq));
        this.#index.splice(i, 1);
        this.#dropped++;
      } else if (message.action === 'MeterValues') {
        this.#dropped++;
        return;
      }
    }
    const seq = this.#meta.t++;
    this.#storage.write(entryKey(seq), JSON.stringify(message));
    this.#index.push({ seq, action: message.action });
    this.#saveMeta();
  }

  /** The oldest message, with the central system's transactionId put in where it is known. */
  peek(): QueuedMessage | undefined {
    const head = this.#index[0];
    if (!head) return undefined;
    const text = this.#storage.read(entryKey(head.seq));
    if (text === undefined) {
      this.#index.shift();
      return this.peek();
    }
    const m = JSON.parse(text) as QueuedMessage;
    const id = this.#meta.m[m.tx];
    if (m.action !== 'StartTransaction') m.payload = { ...m.payload, transactionId: id ?? m.payload.transactionId };
    return m;
  }

  /** True when the transaction's StartTransaction has been answered (its central id is known). */
  known(tx: number): boolean {
    return this.#meta.m[tx] !== undefined;
  }

  transactionId(tx: number): number | undefined {
    return this.#meta.m[tx];
  }

  /** The central system answered the head message. */
  shift(result?: { transactionId?: number }): void {
    const head = this.#index.shift();
    if (!head) return;
    const text = this.#storage.read(entryKey(head.seq));
    this.#storage.remove(entryKey(head.seq));
    this.#meta.h = this.#index[0]?.seq ?? this.#meta.t;
    if (text) {
      const m = JSON.parse(text) as QueuedMessage;
      if (m.action === 'StartTransaction' && result?.transactionId !== undefined) this.#meta.m[m.tx] = result.transactionId;
      if (m.action === 'StopTransaction') delete this.#meta.m[m.tx];
    }
    this.#saveMeta();
  }

  #saveMeta(): void {
    this.#storage.write(META, JSON.stringify(this.#meta));
  }
}

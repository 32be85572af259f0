// The OCPP-J request/response discipline (OCPP-J 1.6 §4.1.1): at most one CALL
// from the charger is outstanding; each gets a unique id, a timeout, and an
// answer or an error. Two queues feed it: volatile messages (BootNotification,
// Heartbeat, StatusNotification, Authorize, DataTransfer), which are worthless
// once the connection drops, and the persisted transaction queue, whose head is
// retried with back-off until the central system answers it. The two are
// merged in the order they were created, so a StatusNotification queued after a
// StartTransaction goes after it. Until the central system accepts the boot
// only BootNotification may go out (§4.2.1).

import type { Clock, TimerId, Timers } from '../ports';
import { encodeCall, type Payload } from './framing';
import type { QueuedMessage, TransactionQueue } from './transaction-queue';

export interface CallFailure {
  /** An OCPP error code from a CALLERROR, or "Timeout", "Offline". */
  code: string;
  description: string;
}

export type CallDone = (result: Payload | undefined, failure?: CallFailure) => void;

interface VolatileCall {
  action: string;
  payload: Payload;
  done: CallDone;
  /** The transaction queue's tail when this was queued: older transaction messages go first. */
  after: number;
}

interface InFlight {
  id: string;
  action: string;
  timer: TimerId;
  volatile?: VolatileCall;
  tx?: QueuedMessage;
}

export interface CallQueueOptions {
  clock: Clock;
  timers: Timers;
  transactions: TransactionQueue;
  /** ms to wait for an answer (OCPP leaves it to the implementation; MicroOcpp waits 40 s). */
  timeout?: number;
  /** Transaction-message retry policy, read at each failure (TransactionMessageAttempts, …RetryInterval s). */
  retry: () => { attempts: number; interval: number };
  /** The central system answered a transaction message. */
  onTransactionResult: (message: QueuedMessage, result: Payload) => void;
  log?: (line: string) => void;
}

export class CallQueue {
  readonly #o: CallQueueOptions;
  readonly #timeout: number;
  #send?: (text: string) => void;
  #volatile: VolatileCall[] = [];
  #inFlight?: InFlight;
  #nextId: number;
  #bootAccepted = false;
  /** Failed attempts of the transaction queue's head, and when it may go again. */
  #txAttempts = 0;
  #txHold?: TimerId;
  #sent = 0;
  #received = 0;

  constructor(options: CallQueueOptions) {
    this.#o = options;
    this.#timeout = options.timeout ?? 40000;
    // Ids stay unique across reboots without storage: start from the wall clock.
    this.#nextId = Math.floor(options.clock.wall() / 1000) % 1000000000;
  }

  /** Calls sent and answers received since start (for the fleet report). */
  get counts(): { sent: number; received: number } {
    return { sent: this.#sent, received: this.#received };
  }

  get online(): boolean {
    return this.#send !== undefined;
  }

  get busy(): boolean {
    return this.#inFlight !== undefined;
  }

  /** The connection opened (`send`) or closed (undefined). */
  attach(send: ((text: string) => void) | undefined): void {
    this.#send = send;
    if (!send) {
      this.#bootAccepted = false;
      const f = this.#inFlight;
      this.#inFlight = undefined;
      if (f) this.#o.timers.clear(f.timer);
      const dropped = this.#volatile;
      this.#volatile = [];
      f?.volatile?.done(undefined, { code: 'Offline', description: 'connection lost' });
      for (const v of dropped) v.done(undefined, { code: 'Offline', description: 'connection lost' });
      return;
    }
    this.pump();
  }

  set bootAccepted(v: boolean) {
    this.#bootAccepted = v;
    if (v) this.pump();
  }

  get bootAccepted(): boolean {
    return this.#bootAccepted;
  }

  /** Queues a volatile CALL; fails at once when offline. BootNotification jumps the queue. */
  call(action: string, payload: Payload, done: CallDone = () => {}): void {
    if (!this.#send) {
      done(undefined, { code: 'Offline', description: 'not connected' });
      return;
    }
    const item = { action, payload, done, after: this.#o.transactions.tail };
    if (action === 'BootNotification') this.#volatile.unshift(item);
    else this.#volatile.push(item);
    this.pump();
  }

  /** Sends the next CALL if none is outstanding. Call after pushing to the transaction queue. */
  pump(): void {
    if (!this.#send || this.#inFlight) return;
    const v = this.#volatile[0];
    if (!this.#bootAccepted) {
      if (v && v.action === 'BootNotification') this.#fire(this.#volatile.shift() as VolatileCall);
      return;
    }
    const txReady = this.#txHold === undefined && this.#o.transactions.size > 0;
    if (txReady && (!v || this.#o.transactions.headSeq < v.after)) {
      const m = this.#o.transactions.peek();
      if (m) {
        this.#fireTx(m);
        return;
      }
    }
    if (v) this.#fire(this.#volatile.shift() as VolatileCall);
  }

  #id(): string {
    this.#nextId = (this.#nextId + 1) % 1000000000;
    return String(this.#nextId);
  }

  #write(id: string, action: string, payload: Payload): TimerId {
    this.#sent++;
    (this.#send as (t: string) => void)(encodeCall(id, action, payload));
    return this.#o.timers.set(() => this.#answer(id, undefined, { code: 'Timeout', description: `no answer in ${this.#timeout} ms` }), this.#timeout);
  }

  #fire(v: VolatileCall): void {
    const id = this.#id();
    this.#inFlight = { id, action: v.action, volatile: v, timer: 0 };
    this.#inFlight.timer = this.#write(id, v.action, v.payload);
  }

  #fireTx(m: QueuedMessage): void {
    const id = this.#id();
    this.#inFlight = { id, action: m.action, tx: m, timer: 0 };
    this.#inFlight.timer = this.#write(id, m.action, m.payload);
  }

  /** A CALLRESULT or CALLERROR arrived (or the timeout fired). Unknown ids are ignored. */
  answer(id: string, result: Payload | undefined, failure?: CallFailure): boolean {
    this.#received++;
    return this.#answer(id, result, failure);
  }

  #answer(id: string, result: Payload | undefined, failure?: CallFailure): boolean {
    const f = this.#inFlight;
    if (!f || f.id !== id) {
      this.#o.log?.(`ocpp: answer to unknown call ${id}`);
      return false;
    }
    this.#inFlight = undefined;
    this.#o.timers.clear(f.timer);
    if (f.volatile) f.volatile.done(result, failure);
    else if (f.tx) this.#txAnswered(f.tx, result, failure);
    this.pump();
    return true;
  }

  #txAnswered(m: QueuedMessage, result: Payload | undefined, failure?: CallFailure): void {
    if (result) {
      this.#txAttempts = 0;
      this.#o.transactions.shift(m.action === 'StartTransaction' ? { transactionId: result.transactionId as number } : undefined);
      this.#o.onTransactionResult(m, result);
      return;
    }
    this.#txAttempts++;
    const { attempts, interval } = this.#o.retry();
    this.#o.log?.(`ocpp: ${m.action} failed (${failure?.code}: ${failure?.description}), attempt ${this.#txAttempts}`);
    // A meter value may be given up after the configured attempts; a Start or Stop never is.
    if (m.action === 'MeterValues' && this.#txAttempts >= attempts) {
      this.#txAttempts = 0;
      this.#o.transactions.shift();
      return;
    }
    const wait = Math.min(interval * 1000 * this.#txAttempts, 3600000);
    this.#txHold = this.#o.timers.set(() => {
      this.#txHold = undefined;
      this.pump();
    }, wait);
  }
}

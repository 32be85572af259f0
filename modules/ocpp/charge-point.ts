// The OCPP 1.6J charge point: StatusNotification for connectors 0 and 1, the
// frames from the central system, and the glue between the parts: the
// connection (connection.ts), the registration and heartbeat
// (registration.ts), availability (availability.ts), transactions,
// smart-charging profiles, local authorisation and the central system's
// requests (operations.ts). Events in (a tick with the charger's reading,
// frames from the socket), commands out (frames to the socket, a claim to the
// gateway, a reset).

import type { TimerId } from '../ports';
import { Authorization } from './authorization';
import type { ChargePointOptions, OcppSettings } from './charge-point-options';
import { Availability, type AvailabilityStatus } from './availability';
import { CallQueue } from './call-queue';
import { ChargingProfiles } from './charging-profiles';
import { ocppClaim } from './claim';
import { limitAt, type ChargingProfile, type TxContext } from './composite-schedule';
import { Configuration, type Binding } from './configuration';
import { Connection } from './connection';
import { chargePointStatus, connectorStatus, type ChargerReading, type StatusReport } from './connector-status';
import { decode, encodeError, encodeResult, isBadFrame, isoTime, ErrorCode, type Payload } from './framing';
import { nextAligned } from './meter-values';
import { handle } from './operations';
import { Registrar, type Identity, type Registration } from './registration';
import { TransactionQueue } from './transaction-queue';
import { Transactions } from './transactions';
import type { EvseProperties } from '../gateway/claims';

export type { ChargePointOptions, Identity, OcppSettings, Registration };

export class ChargePoint {
  readonly config: Configuration;
  readonly auth: Authorization;
  readonly profiles: ChargingProfiles;
  readonly queue: TransactionQueue;
  readonly calls: CallQueue;
  readonly transactions: Transactions;
  readonly o: ChargePointOptions;
  readonly #link: Connection;
  readonly #registrar: Registrar;
  readonly #availability: Availability;
  #tick?: TimerId;
  #reported: (StatusReport | undefined)[] = [undefined, undefined];
  #nextAligned = 0;
  #limit: number | undefined;
  #claim: EvseProperties | undefined;
  #frames = { in: 0, out: 0 };

  constructor(options: ChargePointOptions) {
    this.o = options;
    const bindings: Record<string, Binding> = {
      AllowOfflineTxForUnknownId: {
        get: () => String(options.settings().authOffline),
        set: (v) => options.setSetting?.('authOffline', v === 'true'),
      },
    };
    this.config = new Configuration({ storage: options.storage, bindings, onChange: (key) => this.#configChanged(key) });
    this.auth = new Authorization(options.storage);
    this.profiles = new ChargingProfiles(options.storage);
    this.queue = new TransactionQueue({ storage: options.storage, bound: options.queueBound });
    this.calls = new CallQueue({
      clock: options.clock,
      timers: options.timers,
      transactions: this.queue,
      timeout: options.callTimeout,
      retry: () => ({ attempts: this.config.int('TransactionMessageAttempts'), interval: this.config.int('TransactionMessageRetryInterval') }),
      onTransactionResult: (m, result) => {
        if (m.action === 'StartTransaction') this.transactions.started(m.tx, result.idTagInfo as never);
        if (m.action !== 'MeterValues' && result.idTagInfo && typeof m.payload.idTag === 'string') this.auth.remember(m.payload.idTag, result.idTagInfo as never);
        this.#update();
      },
      log: options.log,
    });
    this.transactions = new Transactions({
      clock: options.clock,
      storage: options.storage,
      config: this.config,
      auth: this.auth,
      calls: this.calls,
      queue: this.queue,
      freeVend: () => ({ on: options.settings().authAuto, idTag: options.settings().idTag }),
      onChange: () => this.#update(),
      installProfile: (p) => this.profiles.set(1, { ...p, transactionId: this.transactions.transactionId }, options.clock.wall(), true),
      ended: () => {
        this.profiles.endTransaction();
        const scheduled = this.#availability.takeScheduled();
        if (scheduled) this.setAvailability(scheduled[0], scheduled[1]);
      },
      log: options.log,
    });
    this.#availability = new Availability(options.storage);
    this.#registrar = new Registrar(this);
    this.#link = new Connection(this);
  }

  // ---- what the gateway shows ----

  get connected(): boolean {
    return this.#link.connected;
  }

  get registration(): Registration | undefined {
    return this.#registrar.status;
  }

  /** The composite smart-charging limit in force, A (undefined: none). */
  get limit(): number | undefined {
    return this.#limit;
  }

  /** OCPP's claim for the arbiter, or undefined to release it. */
  get claim(): EvseProperties | undefined {
    return this.#claim;
  }

  get operative(): boolean {
    return this.#availability.operative;
  }

  /** Frames sent and received since start. */
  get frames(): { in: number; out: number } {
    return { ...this.#frames };
  }

  txContext(): TxContext | undefined {
    const tx = this.transactions.open;
    return tx && { id: this.transactions.transactionId, start: tx.start };
  }

  // ---- lifecycle ----

  start(): void {
    if (this.#link.running) return;
    this.#tick = this.o.timers.repeat(() => this.tick(), this.o.tickInterval ?? 200);
    this.#link.start();
    this.#update();
  }

  stop(): void {
    if (!this.#link.running) return;
    if (this.#tick !== undefined) this.o.timers.clear(this.#tick);
    this.#tick = undefined;
    this.#link.stop();
  }

  /** Settings changed (server, id, key): reconnect with them. */
  reconnect(): void {
    this.#link.restart();
  }

  heartbeat(): void {
    this.#registrar.heartbeat();
  }

  // ---- from the connection and the registration (connection.ts, registration.ts) ----

  connectionOpened(): void {
    this.calls.attach((text) => this.#send(text));
    this.#registrar.boot();
    this.#update();
  }

  connectionClosed(was: boolean): void {
    this.#registrar.closed();
    this.calls.attach(undefined);
    this.#reported = [undefined, undefined];
    if (was) this.#update();
  }

  registrationAnswered(firstAccepted: boolean): void {
    if (this.#registrar.status === 'Accepted') this.#link.accepted();
    if (firstAccepted) {
      this.#reported = [undefined, undefined];
      this.tick();
    }
    this.#update();
  }

  #configChanged(key: string): void {
    if (key === 'HeartbeatInterval') this.#registrar.intervalChanged();
    if (key === 'ClockAlignedDataInterval') this.#nextAligned = 0;
  }

  // ---- frames from the central system ----

  receive(text: string): void {
    this.#frames.in++;
    const m = decode(text);
    if (isBadFrame(m)) {
      this.o.log?.(`ocpp: bad frame (${m.error})`);
      if (m.id !== undefined) this.#reply(encodeError(m.id, m.code, m.error));
      return;
    }
    if (m.type === 3) this.calls.answer(m.id, m.payload);
    else if (m.type === 4) this.calls.answer(m.id, undefined, { code: m.code, description: m.description });
    else {
      if (this.#registrar.status === 'Rejected') {
        this.#reply(encodeError(m.id, ErrorCode.SecurityError, 'the central system rejected this charge point'));
        return;
      }
      const out = handle(this, m.action, m.payload);
      this.#reply('error' in out ? encodeError(m.id, out.error, out.description) : encodeResult(m.id, out.result));
      out.after?.();
    }
  }

  #reply(text: string): void {
    this.#send(text);
  }

  #send(text: string): void {
    if (this.#link.send(text)) this.#frames.out++;
  }

  // ---- the charger's side ----

  /** Reads the charger, moves the transaction on, reports status and meter values, recomputes the limit. */
  tick(): void {
    const r = this.o.reading();
    this.transactions.tick(r, this.operative);
    this.#aligned(r);
    this.#status(r);
    this.#update();
  }

  #aligned(r: ChargerReading): void {
    const interval = this.config.int('ClockAlignedDataInterval');
    if (interval <= 0) return;
    const wall = this.o.clock.wall();
    if (this.#nextAligned === 0) this.#nextAligned = nextAligned(wall, interval);
    if (wall < this.#nextAligned) return;
    this.#nextAligned = nextAligned(wall, interval);
    this.transactions.meterValues(r, 'Sample.Clock', this.config.list('MeterValuesAlignedData'));
  }

  /** StatusNotification for each connector whose status changed since it was last reported. */
  #status(r: ChargerReading, force = false): void {
    if (!this.calls.bootAccepted) return;
    const t = this.transactions;
    const reports = [
      chargePointStatus(this.#availability.chargePoint),
      connectorStatus(r, { operative: this.operative, transaction: t.open !== undefined || t.pending, finishing: t.finishing }),
    ];
    for (let c = 0; c < 2; c++) {
      const now = reports[c];
      const was = this.#reported[c];
      if (!force && was && was.status === now.status && was.errorCode === now.errorCode) continue;
      this.#reported[c] = now;
      this.statusNotification(c, now);
    }
  }

  statusNotification(connectorId: number, report?: StatusReport): void {
    const r =
      report ??
      (connectorId === 0
        ? chargePointStatus(this.#availability.chargePoint)
        : connectorStatus(this.o.reading(), { operative: this.operative, transaction: this.transactions.open !== undefined || this.transactions.pending, finishing: this.transactions.finishing }));
    const payload: Payload = { connectorId, status: r.status, errorCode: r.errorCode, timestamp: isoTime(this.o.clock.wall()) };
    if (r.info) payload.info = r.info;
    this.calls.call('StatusNotification', payload);
  }

  /** Sends BootNotification again (TriggerMessage). */
  triggerBoot(): void {
    this.#registrar.boot();
  }

  /** ChangeAvailability; answers Scheduled when a transaction runs and the change would take the connector out. */
  setAvailability(connectorId: number, operative: boolean): AvailabilityStatus {
    const status = this.#availability.change(connectorId, operative, this.transactions.open !== undefined);
    if (status === 'Accepted' && this.#link.running) this.o.timers.set(() => this.tick(), 0);
    return status;
  }

  /** Reset: stop the transaction with the reset's reason, then let the host restart. */
  reset(hard: boolean): void {
    const reason = hard ? 'HardReset' : 'SoftReset';
    const r = this.o.reading();
    this.transactions.stop(reason, r.energyWh);
    // Give the answer and the StopTransaction a moment on the wire; the queue is persisted either way.
    this.o.timers.set(() => this.o.onReset?.(hard), hard ? 500 : 2000);
  }

  /** An id tag presented at the charger. */
  presentIdTag(idTag: string, done?: (accepted: boolean) => void): void {
    this.transactions.present(idTag, this.o.reading(), done);
  }

  /** DataTransfer from the charger to the central system. */
  dataTransfer(vendorId: string, messageId: string | undefined, data: string | undefined, done: (result: Payload | undefined) => void): void {
    const payload: Payload = { vendorId };
    if (messageId !== undefined) payload.messageId = messageId;
    if (data !== undefined) payload.data = data;
    this.calls.call('DataTransfer', payload, (result) => done(result));
  }

  installTxProfile(profile: ChargingProfile): void {
    this.profiles.set(1, profile, this.o.clock.wall(), true);
  }

  #update(): void {
    const limit = limitAt(this.profiles.installed, this.o.clock.wall(), this.txContext(), this.o.electrical());
    const s = this.o.settings();
    const claim = ocppClaim({
      permits: this.transactions.permitsCharge && this.operative,
      limit,
      minCurrent: this.o.currents().min,
      suspendEvse: s.suspendEvse,
      energizePlug: s.energizePlug,
    });
    this.#limit = limit;
    this.#claim = claim;
    const shown = JSON.stringify([limit, claim, this.#link.connected, this.#registrar.status, this.transactions.transactionId, this.transactions.open?.local]);
    if (shown !== this.#shown) {
      this.#shown = shown;
      this.o.onChange?.();
    }
  }
  #shown = '';
}

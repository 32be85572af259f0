// The OCPP 1.6J charge point: one connection to a central system, the boot
// handshake (retried at the central system's interval while Pending or
// Rejected), heartbeats, StatusNotification for connectors 0 and 1, and the
// glue between the parts: transactions, smart-charging profiles, local
// authorisation and the central system's requests (operations.ts). Events in
// (a tick with the charger's reading, frames from the socket), commands out
// (frames to the socket, a claim to the gateway, a reset).

import type { Clock, Storage, Timers, TimerId, WebSocketConnect, WebSocketSession } from '../ports';
import { Authorization } from './authorization';
import { CallQueue } from './call-queue';
import { ChargingProfiles } from './charging-profiles';
import { ocppClaim } from './claim';
import { limitAt, type ChargingProfile, type Electrical, type TxContext } from './composite-schedule';
import { Configuration, type Binding } from './configuration';
import { chargePointStatus, connectorStatus, type ChargerReading, type StatusReport } from './connector-status';
import { basicAuthorization, connectionUrl, decode, encodeError, encodeResult, isBadFrame, isoTime, parseTime, ErrorCode, type Payload } from './framing';
import { nextAligned } from './meter-values';
import { handle } from './operations';
import { TransactionQueue } from './transaction-queue';
import { Transactions } from './transactions';
import type { EvseProperties } from '../gateway/claims';

/** OpenEVSE's ocpp_* settings, read whenever they are needed. */
export interface OcppSettings {
  server: string;
  chargeBoxId: string;
  authKey: string;
  idTag: string;
  authAuto: boolean;
  authOffline: boolean;
  suspendEvse: boolean;
  energizePlug: boolean;
}

export interface Identity {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  firmwareVersion?: string;
  meterSerialNumber?: string;
}

export interface ChargePointOptions {
  clock: Clock;
  timers: Timers;
  storage: Storage;
  connect: WebSocketConnect;
  settings: () => OcppSettings;
  /** Writes a setting the central system changed (AllowOfflineTxForUnknownId → ocpp_auth_offline). */
  setSetting?: (key: 'authOffline', value: boolean) => void;
  reading: () => ChargerReading;
  identity: Identity;
  electrical: () => Electrical;
  /** The EVSE's minimum and maximum current, A. */
  currents: () => { min: number; max: number };
  /** The central system asked for a reset (after the answer and the StopTransaction are queued). */
  onReset?: (hard: boolean) => void;
  /** The central system's time (BootNotification, Heartbeat), UTC ms. */
  onTime?: (utcMs: number) => void;
  /** Anything the gateway shows changed: connection, transaction, limit, claim. */
  onChange?: () => void;
  /** ms between ticks (OpenEVSE's OCPP loop: 200). */
  tickInterval?: number;
  callTimeout?: number;
  /** Transaction messages kept while offline. */
  queueBound?: number;
  /** Longest wait between reconnection attempts, ms. */
  maxBackoff?: number;
  log?: (line: string) => void;
  /** TLS: refuse unverified server certificates (default true), trust this CA. */
  rejectUnauthorized?: boolean;
  ca?: string;
}

export type Registration = 'Accepted' | 'Pending' | 'Rejected';

const AVAIL_KEY = 'ocpp.avail';

export class ChargePoint {
  readonly config: Configuration;
  readonly auth: Authorization;
  readonly profiles: ChargingProfiles;
  readonly queue: TransactionQueue;
  readonly calls: CallQueue;
  readonly transactions: Transactions;
  readonly o: ChargePointOptions;
  #session?: WebSocketSession;
  #connected = false;
  #registration?: Registration;
  #backoff = 1000;
  #reconnect?: TimerId;
  #bootRetry?: TimerId;
  #heartbeat?: TimerId;
  #tick?: TimerId;
  #running = false;
  #reported: (StatusReport | undefined)[] = [undefined, undefined];
  /** Operative per connector (0 = whole charge point); an Inoperative change during a transaction waits here. */
  #operative: [boolean, boolean] = [true, true];
  #scheduled?: [number, boolean];
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
        if (this.#scheduled) {
          const [connector, op] = this.#scheduled;
          this.#scheduled = undefined;
          this.setAvailability(connector, op);
        }
      },
      log: options.log,
    });
    try {
      const a = JSON.parse(options.storage.read(AVAIL_KEY) ?? '[true,true]') as [boolean, boolean];
      this.#operative = [a[0] !== false, a[1] !== false];
    } catch {
      // Operative is the safe default: a damaged flag must not take the charger out of service.
    }
  }

  // ---- what the gateway shows ----

  get connected(): boolean {
    return this.#connected;
  }

  get registration(): Registration | undefined {
    return this.#registration;
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
    return this.#operative[0] && this.#operative[1];
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
    if (this.#running) return;
    this.#running = true;
    this.#tick = this.o.timers.repeat(() => this.tick(), this.o.tickInterval ?? 200);
    this.#open();
    this.#update();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const t of [this.#tick, this.#reconnect, this.#bootRetry, this.#heartbeat]) if (t !== undefined) this.o.timers.clear(t);
    this.#tick = this.#reconnect = this.#bootRetry = this.#heartbeat = undefined;
    const s = this.#session;
    this.#session = undefined;
    s?.close();
    this.#closed();
  }

  /** Settings changed (server, id, key): reconnect with them. */
  reconnect(): void {
    if (!this.#running) return;
    const s = this.#session;
    this.#session = undefined;
    s?.close();
    this.#closed();
    if (this.#reconnect !== undefined) this.o.timers.clear(this.#reconnect);
    this.#reconnect = undefined;
    this.#backoff = 1000;
    this.#open();
  }

  #open(): void {
    const s = this.o.settings();
    if (!s.server || !s.chargeBoxId) {
      this.o.log?.('ocpp: no server or charge box id set');
      return;
    }
    const headers: Record<string, string> = {};
    const auth = basicAuthorization(s.chargeBoxId, s.authKey);
    if (auth) headers.authorization = auth;
    let session: WebSocketSession | undefined;
    const mine = (): boolean => this.#session === session;
    session = this.o.connect(
      { url: connectionUrl(s.server, s.chargeBoxId), protocols: ['ocpp1.6'], headers, rejectUnauthorized: this.o.rejectUnauthorized ?? true, ca: this.o.ca },
      {
        onOpen: (protocol) => {
          if (!mine()) return;
          if (protocol !== 'ocpp1.6') {
            this.o.log?.(`ocpp: server chose subprotocol "${protocol}", not ocpp1.6`);
            session?.close();
            return;
          }
          this.#connected = true;
          this.o.log?.(`ocpp: connected to ${connectionUrl(s.server, s.chargeBoxId)}`);
          this.calls.attach((text) => {
            this.#frames.out++;
            session?.send(text);
          });
          this.#boot();
          this.#update();
        },
        onMessage: (text) => {
          if (mine()) this.receive(text);
        },
        onClose: (reason) => {
          if (!mine()) return;
          this.#session = undefined;
          this.o.log?.(`ocpp: connection closed (${reason}), retry in ${this.#backoff} ms`);
          this.#closed();
          this.#scheduleReconnect();
        },
      },
    );
    this.#session = session;
  }

  #closed(): void {
    const was = this.#connected;
    this.#connected = false;
    this.#registration = undefined;
    this.calls.attach(undefined);
    for (const t of [this.#bootRetry, this.#heartbeat]) if (t !== undefined) this.o.timers.clear(t);
    this.#bootRetry = this.#heartbeat = undefined;
    this.#reported = [undefined, undefined];
    if (was) this.#update();
  }

  #scheduleReconnect(): void {
    if (!this.#running || this.#reconnect !== undefined) return;
    const wait = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.o.maxBackoff ?? 60000);
    this.#reconnect = this.o.timers.set(() => {
      this.#reconnect = undefined;
      this.#open();
    }, wait);
  }

  #boot(): void {
    this.calls.call('BootNotification', { ...this.o.identity }, (result) => {
      if (!result) return; // offline or timed out: the reconnect (or the retry below) boots again
      const status = result.status as Registration;
      const interval = typeof result.interval === 'number' ? result.interval : 0;
      this.#time(result.currentTime);
      this.#registration = status;
      if (status === 'Accepted') {
        this.#backoff = 1000;
        if (interval > 0) this.config.change('HeartbeatInterval', String(interval));
        this.#startHeartbeat();
        // A boot the central system triggered on a live connection needs no new status reports.
        const first = !this.calls.bootAccepted;
        this.calls.bootAccepted = true;
        if (first) {
          this.#reported = [undefined, undefined];
          this.tick();
        }
      } else {
        // Pending or Rejected: ask again after the central system's interval (§4.2.1).
        const wait = (interval > 0 ? interval : 60) * 1000;
        this.#bootRetry = this.o.timers.set(() => {
          this.#bootRetry = undefined;
          this.#boot();
        }, wait);
      }
      this.#update();
    });
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) this.o.timers.clear(this.#heartbeat);
    if (!this.calls.bootAccepted && this.#registration !== 'Accepted') return;
    this.#heartbeat = this.o.timers.repeat(() => this.heartbeat(), this.config.int('HeartbeatInterval') * 1000);
  }

  heartbeat(): void {
    this.calls.call('Heartbeat', {}, (result) => result && this.#time(result.currentTime));
  }

  #time(v: unknown): void {
    const t = parseTime(v);
    if (Number.isFinite(t)) this.o.onTime?.(t);
  }

  #configChanged(key: string): void {
    if (key === 'HeartbeatInterval' && this.#heartbeat !== undefined) this.#startHeartbeat();
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
      if (this.#registration === 'Rejected') {
        this.#reply(encodeError(m.id, ErrorCode.SecurityError, 'the central system rejected this charge point'));
        return;
      }
      const out = handle(this, m.action, m.payload);
      this.#reply('error' in out ? encodeError(m.id, out.error, out.description) : encodeResult(m.id, out.result));
      out.after?.();
    }
  }

  #reply(text: string): void {
    if (!this.#session) return;
    this.#frames.out++;
    this.#session.send(text);
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
      chargePointStatus(this.#operative[0]),
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
        ? chargePointStatus(this.#operative[0])
        : connectorStatus(this.o.reading(), { operative: this.operative, transaction: this.transactions.open !== undefined || this.transactions.pending, finishing: this.transactions.finishing }));
    const payload: Payload = { connectorId, status: r.status, errorCode: r.errorCode, timestamp: isoTime(this.o.clock.wall()) };
    if (r.info) payload.info = r.info;
    this.calls.call('StatusNotification', payload);
  }

  /** Sends BootNotification again (TriggerMessage). */
  triggerBoot(): void {
    this.#boot();
  }

  /** ChangeAvailability; answers Scheduled when a transaction runs and the change would take the connector out. */
  setAvailability(connectorId: number, operative: boolean): 'Accepted' | 'Scheduled' {
    if (!operative && this.transactions.open) {
      this.#scheduled = [connectorId, operative];
      return 'Scheduled';
    }
    if (connectorId === 0) this.#operative = [operative, operative];
    else this.#operative[1] = operative;
    this.o.storage.write(AVAIL_KEY, JSON.stringify(this.#operative));
    if (this.#running) this.o.timers.set(() => this.tick(), 0);
    return 'Accepted';
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
    const shown = JSON.stringify([limit, claim, this.#connected, this.#registration, this.transactions.transactionId, this.transactions.open?.local]);
    if (shown !== this.#shown) {
      this.#shown = shown;
      this.o.onChange?.();
    }
  }
  #shown = '';
}

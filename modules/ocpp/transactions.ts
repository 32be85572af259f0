// The charger's transaction on connector 1 (OCPP 1.6 §4.8, §4.10, §5.11):
// authorising an id tag (local list, cache, central system, offline rules),
// starting when the EV is plugged after authorisation (or on plug-in with
// free vend), stopping with the reason OCPP asks for, and the periodic and
// clock-aligned meter values. Every transaction message goes through the
// persisted TransactionQueue; the open transaction itself is persisted, so
// after a power cut its StopTransaction (reason PowerLoss) still reaches the
// central system.

import type { Clock, Storage } from '../ports';
import type { AuthStatus, Authorization, IdTagInfo } from './authorization';
import type { CallQueue } from './call-queue';
import type { ChargingProfile } from './composite-schedule';
import type { Configuration } from './configuration';
import type { ChargerReading } from './connector-status';
import { isoTime } from './framing';
import { sampledValues, type ReadingContext } from './meter-values';
import type { TransactionQueue } from './transaction-queue';

export type StopReason = 'DeAuthorized' | 'EmergencyStop' | 'EVDisconnected' | 'HardReset' | 'Local' | 'Other' | 'PowerLoss' | 'Reboot' | 'Remote' | 'SoftReset' | 'UnlockCommand';

export interface OpenTransaction {
  /** The charger's own transaction number (TransactionQueue.newTransaction). */
  local: number;
  idTag: string;
  /** UTC ms. */
  start: number;
  meterStart: number;
  /** The last energy register seen, Wh (meterStop after a power cut). */
  meter: number;
}

const TX_KEY = 'ocpp.tx';

export interface TransactionsOptions {
  clock: Clock;
  storage: Storage;
  config: Configuration;
  auth: Authorization;
  calls: CallQueue;
  queue: TransactionQueue;
  /** Free vend (`ocpp_auth_auto`) and its id tag (`ocpp_idtag`), and offline authorisation of unknown ids. */
  freeVend: () => { on: boolean; idTag: string };
  onChange: () => void;
  /** A RemoteStart's TxProfile, to install once the transaction runs. */
  installProfile: (profile: ChargingProfile) => void;
  /** The transaction ended: its TxProfiles go. */
  ended: () => void;
  log?: (line: string) => void;
}

export class Transactions {
  readonly #o: TransactionsOptions;
  #tx?: OpenTransaction;
  /** An authorised id tag waiting for the EV (ConnectionTimeOut). */
  #pending?: { idTag: string; since: number; profile?: ChargingProfile };
  #finishing = false;
  #wasPlugged = false;
  #nextSample = 0;
  #deauthorized = false;

  constructor(options: TransactionsOptions) {
    this.#o = options;
    const saved = options.storage.read(TX_KEY);
    if (saved) {
      // A transaction was open when the charger went down: end it as the power cut did.
      try {
        const tx = JSON.parse(saved) as OpenTransaction & { reset?: StopReason };
        this.#tx = tx;
        this.stop(tx.reset ?? 'PowerLoss', tx.meter);
      } catch {
        options.storage.remove(TX_KEY);
      }
    }
  }

  get open(): OpenTransaction | undefined {
    return this.#tx;
  }

  get pending(): boolean {
    return this.#pending !== undefined;
  }

  get finishing(): boolean {
    return this.#finishing;
  }

  /** The central system's id of the open transaction, once its StartTransaction was answered. */
  get transactionId(): number | undefined {
    return this.#tx ? this.#o.queue.transactionId(this.#tx.local) : undefined;
  }

  /** OCPP lets the EV charge: a transaction runs and its id tag was not refused. */
  get permitsCharge(): boolean {
    return this.#tx !== undefined && !this.#deauthorized;
  }

  /**
   * Decides whether `idTag` may charge: the local list or cache when
   * LocalPreAuthorize is on, otherwise the central system, and when it cannot
   * be reached the offline rules (LocalAuthorizeOffline, AllowOfflineTxForUnknownId).
   */
  authorize(idTag: string, done: (accepted: boolean, status: AuthStatus | 'Offline') => void): void {
    const c = this.#o.config;
    const now = this.#o.clock.wall();
    const local = this.#o.auth.lookup(idTag, now, { listEnabled: c.bool('LocalAuthListEnabled'), cacheEnabled: c.bool('AuthorizationCacheEnabled') });
    if (local === 'Accepted' && c.bool('LocalPreAuthorize')) return done(true, local);
    const offline = (): void => {
      if (local !== undefined) done(local === 'Accepted' && c.bool('LocalAuthorizeOffline'), local);
      else done(c.bool('AllowOfflineTxForUnknownId'), 'Offline');
    };
    if (!this.#o.calls.online || !this.#o.calls.bootAccepted) return offline();
    this.#o.calls.call('Authorize', { idTag }, (result, failure) => {
      const info = result?.idTagInfo as IdTagInfo | undefined;
      if (!info || failure) return offline();
      this.#o.auth.remember(idTag, info);
      done(info.status === 'Accepted', info.status);
    });
  }

  /** An id tag was presented at the charger (RFID, the local API): starts, or stops the session it opened. */
  present(idTag: string, reading: ChargerReading, done: (accepted: boolean) => void = () => {}): void {
    if (this.#tx) {
      if (this.#tx.idTag === idTag) {
        this.stop('Local', reading.energyWh);
        return done(true);
      }
      return done(false);
    }
    this.authorize(idTag, (ok) => {
      if (ok) this.#pending = { idTag, since: this.#o.clock.now() };
      this.#o.onChange();
      done(ok);
    });
  }

  /** RemoteStartTransaction was accepted: authorise if the configuration asks, then wait for the EV. */
  remoteStart(idTag: string, profile?: ChargingProfile): void {
    const arm = (): void => {
      this.#pending = { idTag, since: this.#o.clock.now(), profile };
      this.#o.onChange();
    };
    if (this.#o.config.bool('AuthorizeRemoteTxRequests')) this.authorize(idTag, (ok) => ok && arm());
    else arm();
  }

  /** Called on every tick with the charger's reading. */
  tick(r: ChargerReading, operative: boolean): void {
    const now = this.#o.clock.now();
    const plugEdge = r.plugged && !this.#wasPlugged;
    this.#wasPlugged = r.plugged;
    if (!r.plugged && this.#finishing) {
      this.#finishing = false;
      this.#o.onChange();
    }
    if (this.#pending && now - this.#pending.since > this.#o.config.int('ConnectionTimeOut') * 1000) {
      this.#o.log?.('ocpp: no EV within ConnectionTimeOut, authorisation dropped');
      this.#pending = undefined;
      this.#o.onChange();
    }
    if (!this.#tx && operative && r.plugged) {
      if (this.#pending) this.#start(this.#pending.idTag, r, this.#pending.profile);
      else if (plugEdge && this.#o.freeVend().on) this.#start(this.#o.freeVend().idTag || 'FreeVend', r);
    }
    const tx = this.#tx;
    if (!tx) return;
    tx.meter = Math.round(r.energyWh);
    if (!r.plugged && this.#o.config.bool('StopTransactionOnEVSideDisconnect')) {
      this.stop('EVDisconnected', r.energyWh);
      return;
    }
    const interval = this.#o.config.int('MeterValueSampleInterval');
    if (interval > 0 && now >= this.#nextSample) {
      this.#nextSample = now + interval * 1000;
      this.#o.storage.write(TX_KEY, JSON.stringify(tx));
      this.meterValues(r, 'Sample.Periodic', this.#o.config.list('MeterValuesSampledData'));
    }
  }

  /** MeterValues for connector 1: queued and persisted within a transaction, sent only when online outside one. */
  meterValues(r: ChargerReading, context: ReadingContext, measurands: readonly string[]): void {
    const sampledValue = sampledValues(r, measurands, context);
    if (sampledValue.length === 0) return;
    const meterValue = [{ timestamp: isoTime(this.#o.clock.wall()), sampledValue }];
    if (this.#tx) {
      const payload: Record<string, unknown> = { connectorId: 1, meterValue };
      const id = this.transactionId;
      if (id !== undefined) payload.transactionId = id;
      this.#o.queue.push({ action: 'MeterValues', payload, tx: this.#tx.local }, this.#o.calls.busy);
      this.#o.calls.pump();
    } else if (this.#o.calls.online && this.#o.calls.bootAccepted) {
      this.#o.calls.call('MeterValues', { connectorId: 1, meterValue });
    }
  }

  #start(idTag: string, r: ChargerReading, profile?: ChargingProfile): void {
    const local = this.#o.queue.newTransaction();
    const start = this.#o.clock.wall();
    this.#tx = { local, idTag, start, meterStart: Math.round(r.energyWh), meter: Math.round(r.energyWh) };
    this.#pending = undefined;
    this.#deauthorized = false;
    this.#finishing = false;
    this.#nextSample = this.#o.clock.now() + this.#o.config.int('MeterValueSampleInterval') * 1000;
    this.#o.storage.write(TX_KEY, JSON.stringify(this.#tx));
    this.#o.queue.push({ action: 'StartTransaction', payload: { connectorId: 1, idTag, meterStart: this.#tx.meterStart, timestamp: isoTime(start) }, tx: local }, this.#o.calls.busy);
    if (profile) this.#o.installProfile(profile);
    this.#o.log?.(`ocpp: transaction ${local} started for ${idTag}`);
    this.#o.calls.pump();
    this.#o.onChange();
  }

  /** Ends the open transaction (if any) with `reason`. */
  stop(reason: StopReason, meterWh: number): void {
    const tx = this.#tx;
    if (!tx) return;
    const payload: Record<string, unknown> = { meterStop: Math.round(meterWh), timestamp: isoTime(this.#o.clock.wall()), reason, idTag: tx.idTag };
    const id = this.#o.queue.transactionId(tx.local);
    // The schema wants an integer; the queue puts the central id in at sending time if it is not known yet.
    payload.transactionId = id ?? 0;
    this.#o.queue.push({ action: 'StopTransaction', payload, tx: tx.local }, this.#o.calls.busy);
    this.#tx = undefined;
    this.#deauthorized = false;
    this.#finishing = this.#wasPlugged;
    this.#o.storage.remove(TX_KEY);
    this.#o.ended();
    this.#o.log?.(`ocpp: transaction ${tx.local} stopped (${reason})`);
    this.#o.calls.pump();
    this.#o.onChange();
  }

  /** A reset is coming: remember why, so the Stop after the reboot carries the reset's reason. */
  markReset(reason: 'HardReset' | 'SoftReset'): void {
    if (this.#tx) this.#o.storage.write(TX_KEY, JSON.stringify({ ...this.#tx, reset: reason }));
  }

  /** The central system answered StartTransaction: cache its verdict, stop if the id tag is refused. */
  started(local: number, info: IdTagInfo | undefined): void {
    if (!info) return;
    const tx = this.#tx;
    if (tx?.local === local) this.#o.auth.remember(tx.idTag, info);
    if (tx?.local === local && info.status !== 'Accepted') {
      this.#o.log?.(`ocpp: id tag ${tx.idTag} refused at start (${info.status})`);
      if (this.#o.config.bool('StopTransactionOnInvalidId')) this.stop('DeAuthorized', tx.meter);
      else this.#deauthorized = true;
    }
    this.#o.onChange();
  }
}

// What a charge point is built from: the host's ports (clock, timers,
// storage, the WebSocket client), the ocpp_* settings, the charger's reading
// and electrical limits, the identity it boots with, the events it tells the
// gateway, and the tuning a test may change (tick, timeouts, queue bound,
// back-off, TLS).

import type { Clock, Storage, Timers, WebSocketConnect } from '../ports';
import type { Electrical } from './composite-schedule';
import type { ChargerReading } from './connector-status';
import type { Identity } from './registration';

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

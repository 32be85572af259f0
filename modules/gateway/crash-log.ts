// The boot record and crash log: how many times the gateway booted, why
// (the ESP32 reset reason codes), and what its last heartbeat said before
// the reboot (uptime, heap, wall time). Each boot stores one record; /crashlog
// returns the most recent ones, /status the current boot's fields.

import type { Storage } from '../ports';

/** ESP-IDF `esp_reset_reason_t` names, by code. */
export const RESET_REASONS = ['unknown', 'poweron', 'external', 'software', 'panic', 'int_wdt', 'task_wdt', 'wdt', 'deepsleep', 'brownout', 'sdio'] as const;
export const RESET_UNKNOWN = 0;
export const RESET_POWERON = 1;
export const RESET_SOFTWARE = 3;

/** Records kept (the /crashlog count limit). */
export const CRASHLOG_SIZE = 10;

export interface Heartbeat {
  uptime_ms: number;
  free_heap: number;
  largest_free_block: number;
  min_free_heap: number;
  /** Unix time, s; 0 if the wall clock was not set. */
  unix_time: number;
}

export interface CrashRecord {
  seq: number;
  boot_count: number;
  reset_reason: number;
  reset_reason_str: string;
  prev_uptime_ms: number;
  prev_free_heap: number;
  prev_largest_free_block: number;
  prev_min_free_heap: number;
  prev_unix_time: number;
  /** Unix time (s) when this record was stored; 0 if the wall clock was not set. */
  crash_recorded_unix_time: number;
}

export interface CrashLogOptions {
  storage: Storage;
  /** The host's reset reason code if it knows one (ESP32); otherwise inferred. */
  resetReason?: number;
  /** Unix time now, s (0 when unknown). */
  unixTime: number;
}

const KEY_LOG = 'crashlog';
const KEY_BEAT = 'heartbeat';

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export class CrashLog {
  readonly #storage: Storage;
  readonly #records: CrashRecord[];
  readonly current: CrashRecord;

  /** Reads the previous boot's traces and stores this boot's record. */
  constructor(options: CrashLogOptions) {
    this.#storage = options.storage;
    const stored = parse<{ records: CrashRecord[] }>(this.#storage.read(KEY_LOG));
    this.#records = Array.isArray(stored?.records) ? stored.records.slice(-CRASHLOG_SIZE) : [];
    const beat = parse<Heartbeat & { clean?: boolean }>(this.#storage.read(KEY_BEAT));
    const last = this.#records[this.#records.length - 1];
    let reason = options.resetReason;
    if (reason === undefined || !(reason >= 0 && reason < RESET_REASONS.length)) {
      // Without a hardware reason: a clean stop() left a mark; a first boot is a power-on.
      reason = !beat && !last ? RESET_POWERON : beat?.clean ? RESET_SOFTWARE : RESET_UNKNOWN;
    }
    this.current = {
      seq: (last?.seq ?? 0) + 1,
      boot_count: (last?.boot_count ?? 0) + 1,
      reset_reason: reason,
      reset_reason_str: RESET_REASONS[reason],
      prev_uptime_ms: beat?.uptime_ms ?? 0,
      prev_free_heap: beat?.free_heap ?? 0,
      prev_largest_free_block: beat?.largest_free_block ?? 0,
      prev_min_free_heap: beat?.min_free_heap ?? 0,
      prev_unix_time: beat?.unix_time ?? 0,
      crash_recorded_unix_time: options.unixTime,
    };
    this.#records.push(this.current);
    while (this.#records.length > CRASHLOG_SIZE) this.#records.shift();
    this.#storage.write(KEY_LOG, JSON.stringify({ records: this.#records }));
    this.#storage.remove(KEY_BEAT);
  }

  /** The newest `count` records, newest first. */
  recent(count: number): CrashRecord[] {
    return this.#records.slice(-count).reverse();
  }

  /** Stores the liveness trace the next boot reports as prev_*. */
  beat(heartbeat: Heartbeat, clean = false): void {
    this.#storage.write(KEY_BEAT, JSON.stringify(clean ? { ...heartbeat, clean } : heartbeat));
  }

  /** The boot record's /status fields, written into `into` when given (returned). */
  fields(into: Record<string, number | string | boolean | null> = {}): Record<string, number | string | boolean | null> {
    const c = this.current;
    into.crash_seq = c.seq;
    into.boot_count = c.boot_count;
    into.reset_reason = c.reset_reason;
    into.reset_reason_str = c.reset_reason_str;
    into.prev_uptime_ms = c.prev_uptime_ms;
    into.prev_free_heap = c.prev_free_heap;
    into.prev_largest_free_block = c.prev_largest_free_block;
    into.prev_min_free_heap = c.prev_min_free_heap;
    into.prev_unix_time = c.prev_unix_time;
    into.crash_recorded_unix_time = c.crash_recorded_unix_time;
    return into;
  }
}

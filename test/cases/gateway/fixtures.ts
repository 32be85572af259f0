// Test-side helpers for the gateway cases: driving promises with a virtual
// clock, and a scripted RAPI peer. The scripted peer exists only to pin down
// the client's queue, timeout and checksum logic; behaviour tests run the
// gateway against the real controller (sim/station.ts).

import type { ByteSink, Timers } from '../../../modules/ports';
import { encode } from '../../../modules/rapi/frame';
import { FrameParser } from '../../../modules/rapi/parser';
import type { Frame } from '../../../modules/rapi/frame';
import type { VirtualClock } from '../../../sim/clock';

/** Lets pending promise reactions run. */
export async function flush(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/**
 * Advances the virtual clock 1 ms at a time, letting promise reactions run
 * between steps, until `p` settles; returns its value. Throws after `limit` ms.
 */
export async function settle<T>(clock: VirtualClock, p: Promise<T>, limit = 10000): Promise<T> {
  let done = false;
  let value!: T;
  let failure: unknown;
  let failed = false;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e) => {
      done = true;
      failed = true;
      failure = e;
    },
  );
  await flush();
  for (let t = 0; !done; t++) {
    if (t >= limit) throw new Error(`promise not settled within ${limit} virtual ms`);
    clock.advance(1);
    await flush();
  }
  if (failed) throw failure;
  return value;
}

/** Runs the clock for `ms`, letting promise reactions run every millisecond. */
export async function run(clock: VirtualClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t++) {
    clock.advance(1);
    await flush(4);
  }
}

export type Script = (frame: Frame, text: string) => string | string[] | undefined;

/**
 * A RAPI peer that answers each command with what `script` returns (frame
 * texts without CR; undefined = silence), `latency` ms later.
 */
export class ScriptedPeer implements ByteSink {
  readonly received: string[] = [];
  deliver?: (bytes: string) => void;
  readonly #parser: FrameParser;

  constructor(timers: Timers, script: Script, latency = 2) {
    this.#parser = new FrameParser({
      bufferSize: 100,
      onFrame: (frame, text) => {
        this.received.push(text);
        const out = script(frame, text);
        if (out === undefined) return;
        const texts = typeof out === 'string' ? [out] : out;
        timers.set(() => {
          for (const t of texts) this.deliver?.(t + '\r');
        }, latency);
      },
    });
  }

  write(bytes: Uint8Array): void {
    this.#parser.receive(bytes);
  }

  /** Sends an unsolicited frame now. */
  push(text: string): void {
    this.deliver?.(text + '\r');
  }
}

/** A reply frame with its XOR checksum, without CR: reply(true, ['03', '125']) → "$OK 03 125^xx". */
export function reply(ok: boolean, params: (string | number)[] = [], seq?: number): string {
  return encode(ok ? 'OK' : 'NK', params, { seq }).slice(0, -1);
}

/** The Storage port as a flash key-value store in memory; `writes` counts saves. */
export class MemoryStorage {
  readonly map = new Map<string, string>();
  writes = 0;
  read(key: string): string | undefined {
    return this.map.get(key);
  }
  write(key: string, value: string): void {
    this.writes++;
    this.map.set(key, value);
  }
  remove(key: string): void {
    this.map.delete(key);
  }
}

import type { HttpRequest, HttpResponse } from '../../../modules/ports';

/** An HttpRequest with defaults. */
export function request(method: string, path: string, options: { query?: Record<string, string>; headers?: Record<string, string>; body?: string } = {}): HttpRequest {
  return { method, path, query: options.query ?? {}, headers: options.headers ?? {}, body: options.body ?? '' };
}

export function bodyJson(res: HttpResponse): any {
  return JSON.parse(typeof res.body === 'string' ? res.body : String.fromCharCode(...res.body));
}

// The Storage port over Moddable's Preference (NVS on ESP32, a JSON file in the
// simulator), with the atomic replace the port promises.
//
// One Preference.set is atomic on NVS, but a value may be longer than one
// entry holds (about 4000 bytes on ESP32), and NVS keys are at most 15
// characters. So each key gets a selector entry that is written last:
//   selector "=<value>"   a short value, stored inline (one atomic write)
//   selector "A<n>"/"B<n>" the value is in n chunks of slot A or B
// A long value goes into the slot the selector does not name, then the
// selector flips to it. Power lost before the flip leaves the old value, after
// it the new one. Stale chunks are deleted after the flip.
//
// This file imports nothing from the SDK (main.ts hands it the `preference`
// module), so the portable tests run it against sim/nvs.

import type { Storage } from '../../modules/ports';

/** The part of Moddable's `preference` module used here. */
export interface PreferenceLike {
  set(domain: string, key: string, value: string): void;
  get(domain: string, key: string): string | boolean | number | ArrayBuffer | undefined;
  delete(domain: string, key: string): void;
}

export interface PreferenceStorageOptions {
  preference: PreferenceLike;
  /** Preference domain (NVS namespace, at most 15 characters). */
  domain?: string;
  /**
   * UTF-16 units per entry. 1024 units are at most 3072 UTF-8 bytes, inside
   * the ESP32 NVS string limit of 4000 bytes.
   */
  chunk?: number;
}

/** Longest stored key name: a chunk key adds "~", the slot and two base-36 digits. */
const NAME_MAX = 11;
const MAX_CHUNKS = 36 * 36;

export class PreferenceStorage implements Storage {
  readonly #pref: PreferenceLike;
  readonly #domain: string;
  readonly #chunk: number;

  constructor(options: PreferenceStorageOptions) {
    this.#pref = options.preference;
    this.#domain = options.domain ?? 'evse';
    this.#chunk = options.chunk ?? 1024;
    if (this.#domain.length < 1 || this.#domain.length > 15) throw new RangeError('Preference domain must have 1–15 characters');
    if (!Number.isInteger(this.#chunk) || this.#chunk < 1) throw new RangeError('chunk must be a positive integer');
  }

  read(key: string): string | undefined {
    const name = storedName(key);
    const selector = this.#get(name);
    if (selector === undefined) return undefined;
    if (selector[0] === '=') return selector.slice(1);
    const slot = selector[0];
    const count = parseInt(selector.slice(1), 36);
    if ((slot !== 'A' && slot !== 'B') || !(count >= 0)) return undefined;
    let value = '';
    for (let i = 0; i < count; i++) {
      const part = this.#get(chunkName(name, slot, i));
      if (part === undefined) return undefined; // the store lost an entry: report nothing rather than a fragment
      value += part;
    }
    return value;
  }

  write(key: string, value: string): void {
    const name = storedName(key);
    const old = this.#get(name);
    const oldSlot = old !== undefined && (old[0] === 'A' || old[0] === 'B') ? old[0] : undefined;
    if (value.length < this.#chunk) {
      this.#pref.set(this.#domain, name, '=' + value);
      if (oldSlot) this.#sweep(name, oldSlot, 0);
      return;
    }
    const slot = oldSlot === 'A' ? 'B' : 'A';
    const count = Math.ceil(value.length / this.#chunk);
    if (count > MAX_CHUNKS) throw new RangeError(`value of ${value.length} characters is too long for storage`);
    for (let i = 0; i < count; i++) {
      this.#pref.set(this.#domain, chunkName(name, slot, i), value.slice(i * this.#chunk, (i + 1) * this.#chunk));
    }
    this.#pref.set(this.#domain, name, slot + count.toString(36));
    // Leftovers: the old slot, and this slot's tail from an earlier, longer or interrupted write.
    if (oldSlot) this.#sweep(name, oldSlot, 0);
    this.#sweep(name, slot, count);
  }

  remove(key: string): void {
    const name = storedName(key);
    if (this.#get(name) === undefined) return;
    this.#pref.delete(this.#domain, name);
    this.#sweep(name, 'A', 0);
    this.#sweep(name, 'B', 0);
  }

  #get(name: string): string | undefined {
    const v = this.#pref.get(this.#domain, name);
    return typeof v === 'string' ? v : undefined;
  }

  /** Deletes chunks of `slot` from index `from` while they exist. */
  #sweep(name: string, slot: string, from: number): void {
    for (let i = from; i < MAX_CHUNKS; i++) {
      const key = chunkName(name, slot, i);
      if (this.#pref.get(this.#domain, key) === undefined) return;
      this.#pref.delete(this.#domain, key);
    }
  }
}

/**
 * The NVS key for a port key: the key itself when it is short and plain,
 * otherwise "#" and a 32-bit FNV-1a hash of it in base 36. Neither form
 * contains "~", which only chunk keys have.
 */
export function storedName(key: string): string {
  if (key.length <= NAME_MAX && /^[A-Za-z0-9_.-]+$/.test(key)) return key;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return '#' + h.toString(36);
}

function chunkName(name: string, slot: string, index: number): string {
  return name + '~' + slot + index.toString(36);
}

// Preference entries in a JSON file of the simulator instance's own state
// directory. The SDK's Linux Preference keeps one /tmp/modpreferences.json
// for every simulator on the machine, so two instances would overwrite each
// other's settings; this keeps the same interface per instance. Writes go to a
// temporary file that is then renamed over the old one, so a simulator killed
// mid-write leaves the previous settings, never half a file.
//
// Entries are kept in Maps and written as JSON text by hand, never as
// properties of an object: XS interns every property name as a key for the
// life of the machine, and the OCPP offline queue stores each message under a
// new name (`ocpp.q<seq>`), so an object here grew the key table by one per
// message (seen in mcsim: 36 → 491 keys in 60 s of transactions). On the ESP32
// the Preference is native NVS and creates no keys.

import { File } from 'file';
import type { PreferenceLike } from '../storage';

type Entries = Map<string, Map<string, string>>;

export class FilePreference implements PreferenceLike {
  readonly #path: string;
  #entries: Entries;

  constructor(options: { path: string }) {
    this.#path = options.path;
    this.#entries = FilePreference.#load(options.path);
  }

  get(domain: string, key: string): string | undefined {
    return this.#entries.get(domain)?.get(key);
  }

  set(domain: string, key: string, value: string): void {
    let entries = this.#entries.get(domain);
    if (!entries) this.#entries.set(domain, (entries = new Map()));
    entries.set(key, value);
    this.#save();
  }

  delete(domain: string, key: string): void {
    if (!this.#entries.get(domain)?.delete(key)) return;
    this.#save();
  }

  static #load(path: string): Entries {
    const entries: Entries = new Map();
    if (!File.exists(path)) return entries;
    const file = new File(path);
    try {
      const text = file.read(String);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      // Refuse rather than start empty: the next write would replace the user's settings.
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`preferences: ${path} is not a JSON object; fix or delete it`);
      // (the names read here become keys once per start; new ones later do not)
      const domains = parsed as Record<string, unknown>;
      for (const domain in domains) {
        const values = domains[domain];
        if (typeof values !== 'object' || values === null) continue;
        const map = new Map<string, string>();
        for (const key in values) {
          const v = (values as Record<string, unknown>)[key];
          if (typeof v === 'string') map.set(key, v);
        }
        entries.set(domain, map);
      }
      return entries;
    } finally {
      file.close();
    }
  }

  #save(): void {
    const temporary = this.#path + '.new';
    if (File.exists(temporary)) File.delete(temporary);
    const file = new File(temporary, true);
    try {
      file.write(FilePreference.#text(this.#entries));
    } finally {
      file.close();
    }
    if (!File.rename(temporary, this.#path)) throw new Error(`preferences: cannot replace ${this.#path}`);
  }

  /** The entries as a JSON object, written without making an object of them. */
  static #text(entries: Entries): string {
    const domains: string[] = [];
    for (const [domain, values] of entries) {
      const pairs: string[] = [];
      for (const [key, value] of values) pairs.push(JSON.stringify(key) + ':' + JSON.stringify(value));
      domains.push(JSON.stringify(domain) + ':{' + pairs.join(',') + '}');
    }
    return '{' + domains.join(',') + '}';
  }
}

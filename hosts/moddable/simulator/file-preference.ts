// Preference entries in a JSON file of the simulator instance's own state
// directory. The SDK's Linux Preference keeps one /tmp/modpreferences.json
// for every simulator on the machine, so two instances would overwrite each
// other's settings; this keeps the same interface per instance. Writes go to a
// temporary file that is then renamed over the old one, so a simulator killed
// mid-write leaves the previous settings, never half a file.

import { File } from 'file';
import type { PreferenceLike } from '../storage';

type Entries = Record<string, Record<string, string>>;

export class FilePreference implements PreferenceLike {
  readonly #path: string;
  #entries: Entries;

  constructor(options: { path: string }) {
    this.#path = options.path;
    this.#entries = FilePreference.#load(options.path);
  }

  get(domain: string, key: string): string | undefined {
    return this.#entries[domain]?.[key];
  }

  set(domain: string, key: string, value: string): void {
    (this.#entries[domain] ??= {})[key] = value;
    this.#save();
  }

  delete(domain: string, key: string): void {
    const entries = this.#entries[domain];
    if (!entries || entries[key] === undefined) return;
    delete entries[key];
    this.#save();
  }

  static #load(path: string): Entries {
    if (!File.exists(path)) return {};
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
      return parsed as Entries;
    } finally {
      file.close();
    }
  }

  #save(): void {
    const temporary = this.#path + '.new';
    if (File.exists(temporary)) File.delete(temporary);
    const file = new File(temporary, true);
    try {
      file.write(JSON.stringify(this.#entries));
    } finally {
      file.close();
    }
    if (!File.rename(temporary, this.#path)) throw new Error(`preferences: cannot replace ${this.#path}`);
  }
}

// Storage that forgets at the end of the process; `snapshot` lets a test
// power-cycle a station onto the same contents.

import type { Storage } from '../modules/ports';

export class MemoryStorage implements Storage {
  readonly #map: Map<string, string>;

  constructor(from?: Iterable<[string, string]>) {
    this.#map = new Map(from);
  }

  read(key: string): string | undefined {
    return this.#map.get(key);
  }

  write(key: string, value: string): void {
    this.#map.set(key, value);
  }

  remove(key: string): void {
    this.#map.delete(key);
  }

  snapshot(): [string, string][] {
    return [...this.#map];
  }
}

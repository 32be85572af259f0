// A model of the ESP32's NVS as Moddable's `preference` module exposes it:
// domains and keys of at most 15 characters, string values of at most 4000
// UTF-8 bytes (with the terminating NUL), each set or delete atomic. Power can
// be cut after a given number of writes: the write that would exceed it, and
// every later one, throws without changing anything, as if the chip had reset
// just before it. `restore()` is the reboot.

export class PowerLoss extends Error {
  constructor() {
    super('power lost');
    this.name = 'PowerLoss';
  }
}

const KEY_MAX = 15;
const STRING_MAX_BYTES = 4000;

export class SimNvs {
  readonly #entries = new Map<string, string>();
  #budget = Infinity;
  /** Writes (sets and deletes) that reached the flash. */
  writes = 0;

  set(domain: string, key: string, value: string): void {
    checkName(domain, 'domain');
    checkName(key, 'key');
    if (typeof value !== 'string') throw new TypeError('this model stores strings only');
    if (utf8Length(value) + 1 > STRING_MAX_BYTES) throw new RangeError(`value of ${utf8Length(value)} bytes exceeds the NVS string limit`);
    this.#spend();
    this.#entries.set(domain + '\u0000' + key, value);
  }

  get(domain: string, key: string): string | undefined {
    return this.#entries.get(domain + '\u0000' + key);
  }

  delete(domain: string, key: string): void {
    if (!this.#entries.has(domain + '\u0000' + key)) return;
    this.#spend();
    this.#entries.delete(domain + '\u0000' + key);
  }

  /** Number of entries stored (all domains). */
  get size(): number {
    return this.#entries.size;
  }

  /** Keys stored in a domain. */
  keys(domain: string): string[] {
    const prefix = domain + '\u0000';
    return [...this.#entries.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  /** Allows `writes` more writes, then cuts the power. */
  cutPowerAfter(writes: number): void {
    this.#budget = writes;
  }

  restore(): void {
    this.#budget = Infinity;
  }

  #spend(): void {
    if (this.#budget <= 0) throw new PowerLoss();
    this.#budget--;
    this.writes++;
  }
}

function checkName(name: string, what: string): void {
  if (name.length < 1 || name.length > KEY_MAX) throw new RangeError(`NVS ${what} "${name}" must have 1–${KEY_MAX} characters`);
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

// A bounded text console: the last lines of the gateway's debug log (/debug)
// or of the RAPI traffic (/evse). Bounded by characters, so a flood of lines
// costs a fixed amount of memory on the device.

export class ConsoleBuffer {
  readonly #limit: number;
  #lines: string[] = [];
  #chars = 0;
  #dropped = 0;

  /** `limit`: characters kept, counting one newline per line. */
  constructor(limit = 4096) {
    if (!(limit >= 16)) throw new RangeError(`console limit must be ≥ 16 characters: ${limit}`);
    this.#limit = limit;
  }

  add(line: string): void {
    const text = line.length > this.#limit - 1 ? line.slice(0, this.#limit - 1) : line;
    this.#lines.push(text);
    this.#chars += text.length + 1;
    while (this.#chars > this.#limit) {
      const old = this.#lines.shift()!;
      this.#chars -= old.length + 1;
      this.#dropped++;
    }
  }

  /** Lines dropped to stay within the limit since the start. */
  get dropped(): number {
    return this.#dropped;
  }

  get length(): number {
    return this.#chars;
  }

  text(): string {
    return this.#lines.length ? this.#lines.join('\n') + '\n' : '';
  }

  clear(): void {
    this.#lines = [];
    this.#chars = 0;
  }
}

// A bounded text console: the last lines of the gateway's debug log (/debug)
// or of the RAPI traffic (/evse). Bounded by characters, so a flood of lines
// costs a fixed amount of memory on the device.

export class ConsoleBuffer {
  readonly #limit: number;
  /** Lines kept are `#lines[#head …]`: dropping one moves the head instead of shifting every line down (Array.shift is a copy on XS). */
  #lines: string[] = [];
  #head = 0;
  #chars = 0;
  #dropped = 0;

  /** `limit`: characters kept, counting one newline per line. */
  constructor(limit = 4096) {
    if (!(limit >= 16)) throw new RangeError(`console limit must be ≥ 16 characters: ${limit}`);
    this.#limit = limit;
  }

  add(line: string): void {
    const text = line.length > this.#limit - 1 ? line.slice(0, this.#limit - 1) : line;
    const lines = this.#lines;
    lines.push(text);
    let chars = this.#chars + text.length + 1;
    let head = this.#head;
    while (chars > this.#limit) {
      chars -= lines[head].length + 1;
      lines[head++] = '';
      this.#dropped++;
    }
    this.#chars = chars;
    // Compacted every 16 dropped lines: one native move of the kept lines instead of one per add, and at most 16 spare slots.
    if (head >= 16) {
      lines.splice(0, head);
      head = 0;
    }
    this.#head = head;
  }

  /** Lines dropped to stay within the limit since the start. */
  get dropped(): number {
    return this.#dropped;
  }

  get length(): number {
    return this.#chars;
  }

  text(): string {
    const lines = this.#head ? this.#lines.slice(this.#head) : this.#lines;
    return lines.length ? lines.join('\n') + '\n' : '';
  }

  clear(): void {
    this.#lines = [];
    this.#head = 0;
    this.#chars = 0;
  }
}

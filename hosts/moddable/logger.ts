// Logger port over XS's `trace` (the xsbug console, or the serial console of a
// release build).

import type { Logger } from '../../modules/ports';

export class TraceLogger implements Logger {
  readonly #prefix: string;

  constructor(options: { prefix?: string } = {}) {
    this.#prefix = options.prefix ?? '';
  }

  log(line: string): void {
    trace(this.#prefix, line, '\n');
  }
}

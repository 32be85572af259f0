// The contactor relay output and the AC-sense optos downstream of it.

import Digital from 'embedded:io/digital';
import type { AcSense, RelayOutput } from '../../../modules/ports';
import { micros } from '../clock';

export class RelayPin implements RelayOutput {
  readonly #pin: Digital;
  readonly #activeLow: boolean;

  constructor(options: { pin: number; activeLow?: boolean }) {
    this.#activeLow = options.activeLow ?? false;
    this.#pin = new Digital({ pin: options.pin, mode: Digital.Output });
    this.set(false);
  }

  set(closed: boolean): void {
    this.#pin.write(closed !== this.#activeLow ? 1 : 0);
  }
}

export interface AcSensePinsOptions {
  line1: number;
  line2: number;
  /** The opto pulls its pin low while the line is live. */
  activeLow?: boolean;
  /** Watch this long (µs), more than one mains cycle: an opto conducts only near the peaks. */
  windowUs: number;
}

export class AcSensePins implements AcSense {
  readonly #l1: Digital;
  readonly #l2: Digital;
  readonly #live: 0 | 1;
  readonly #windowUs: number;

  constructor(options: AcSensePinsOptions) {
    const activeLow = options.activeLow ?? true;
    const mode = activeLow ? Digital.InputPullUp : Digital.InputPullDown;
    this.#l1 = new Digital({ pin: options.line1, mode });
    this.#l2 = new Digital({ pin: options.line2, mode });
    this.#live = activeLow ? 0 : 1;
    this.#windowUs = options.windowUs;
  }

  read(): { line1: boolean; line2: boolean } {
    let line1 = false;
    let line2 = false;
    const start = micros();
    // The read cap bounds the loop even if the microsecond clock wraps.
    for (let n = 0; n < 20000; n++) {
      if (this.#l1.read() === this.#live) line1 = true;
      if (this.#l2.read() === this.#live) line2 = true;
      if ((line1 && line2) || micros() - start >= this.#windowUs) break;
    }
    return { line1, line2 };
  }
}

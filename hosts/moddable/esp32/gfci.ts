// The GFCI (CCID) sensor input, whose rising edge is delivered as an event so
// the relay can open from the edge itself, and the self-test winding output.

import Digital from 'embedded:io/digital';
import type { GfciInput, GfciTestOutput } from '../../../modules/ports';

export interface GfciSensePinOptions {
  pin: number;
  /** Called from the pin's rising-edge interrupt (deferred to the JS thread by the SDK). */
  onTrip: () => void;
}

export class GfciSensePin implements GfciInput {
  readonly #pin: Digital;

  constructor(options: GfciSensePinOptions) {
    const onTrip = options.onTrip;
    this.#pin = new Digital({
      pin: options.pin,
      // GPIO34–39 have no internal pulls: the board fits an external pull-down.
      mode: Digital.Input,
      edge: Digital.Rising,
      onReadable() {
        onTrip();
      },
    });
  }

  read(): boolean {
    return this.#pin.read() === 1;
  }
}

export class GfciTestPin implements GfciTestOutput {
  readonly #pin: Digital;

  constructor(options: { pin: number }) {
    this.#pin = new Digital({ pin: options.pin, mode: Digital.Output });
    this.#pin.write(0);
  }

  set(on: boolean): void {
    this.#pin.write(on ? 1 : 0);
  }
}

// The front-panel button: each press (the edge into the pressed level) is
// reported once; contact bounce within `debounceMs` of a press is dropped.

import Digital from 'embedded:io/digital';
import Time from 'time';

export interface ButtonPinOptions {
  pin: number;
  activeLow?: boolean;
  debounceMs?: number;
  onPress: () => void;
}

export class ButtonPin {
  readonly #pin: Digital;
  readonly #down: 0 | 1;

  constructor(options: ButtonPinOptions) {
    const activeLow = options.activeLow ?? true;
    const debounce = options.debounceMs ?? 50;
    const onPress = options.onPress;
    this.#down = activeLow ? 0 : 1;
    let last = Time.ticks - debounce;
    this.#pin = new Digital({
      pin: options.pin,
      mode: activeLow ? Digital.InputPullUp : Digital.InputPullDown,
      edge: activeLow ? Digital.Falling : Digital.Rising,
      onReadable() {
        const now = Time.ticks;
        if (((now - last) | 0) < debounce) return;
        last = now;
        onPress();
      },
    });
  }

  /** true while held down. */
  get pressed(): boolean {
    return this.#pin.read() === this.#down;
  }

  close(): void {
    this.#pin.close();
  }
}

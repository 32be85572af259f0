// The front-panel button. The controller polls its level every tick (the
// ButtonInput port), which is what times short, long and 10-second presses;
// `onPress`, when given, also reports each press edge once, with contact
// bounce within `debounceMs` dropped.

import Digital from 'embedded:io/digital';
import Time from 'time';
import type { ButtonInput } from '../../../modules/ports';

export interface ButtonPinOptions {
  pin: number;
  activeLow?: boolean;
  debounceMs?: number;
  onPress?: () => void;
}

export class ButtonPin implements ButtonInput {
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
      ...(onPress && {
        edge: activeLow ? Digital.Falling : Digital.Rising,
        onReadable() {
          const now = Time.ticks;
          if (((now - last) | 0) < debounce) return;
          last = now;
          onPress();
        },
      }),
    });
  }

  /** true while held down. */
  read(): boolean {
    return this.#pin.read() === this.#down;
  }

  close(): void {
    this.#pin.close();
  }
}

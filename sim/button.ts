// The front-panel button as the controller's port sees it: a level that is
// true while a finger holds it down. `press(ms)` holds it for a while on the
// station's timers, as a finger would.

import type { ButtonInput, Timers } from '../modules/ports';

export class SimButton implements ButtonInput {
  #down = false;
  readonly #timers: Timers;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  read(): boolean {
    return this.#down;
  }

  down(): void {
    this.#down = true;
  }

  up(): void {
    this.#down = false;
  }

  /** Holds the button for `ms` (default 100 ms, a short press). */
  press(ms = 100): void {
    this.#down = true;
    this.#timers.set(() => {
      this.#down = false;
    }, ms);
  }
}

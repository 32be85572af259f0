// The Clock and Timers ports over Node's clocks and timers.

import type { Clock, TimerId, Timers } from '../../modules/ports';

export class NodeClock implements Clock, Timers {
  readonly #origin = performance.now();

  now(): number {
    return performance.now() - this.#origin;
  }

  wall(): number {
    return Date.now();
  }

  set(callback: () => void, ms: number): TimerId {
    return setTimeout(callback, Math.max(0, ms));
  }

  repeat(callback: () => void, ms: number): TimerId {
    return setInterval(callback, Math.max(1, ms));
  }

  clear(id: TimerId): void {
    clearTimeout(id as NodeJS.Timeout);
  }
}

// An in-memory full-duplex byte link: what a UART is between a gateway and a
// controller living in the same process ("standalone"). Bytes written on one
// end reach the other end's receiver on a later timer turn, never inside the
// writer's call, so neither side is re-entered, as with a real wire.

import type { ByteSink, Timers } from '../ports';

export type Receiver = (bytes: Uint8Array) => void;

export class LinkEnd implements ByteSink {
  #peer?: LinkEnd;
  #receiver?: Receiver;
  #queue: Uint8Array[] = [];
  #scheduled = false;
  readonly #timers: Timers;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  /** Where bytes arriving at this end go. */
  onReceive(receiver: Receiver): void {
    this.#receiver = receiver;
  }

  write(bytes: Uint8Array): void {
    const peer = this.#peer;
    if (peer) peer.#deliver(bytes.slice());
  }

  static pair(timers: Timers): [LinkEnd, LinkEnd] {
    const a = new LinkEnd(timers);
    const b = new LinkEnd(timers);
    a.#peer = b;
    b.#peer = a;
    return [a, b];
  }

  #deliver(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#timers.set(() => {
      this.#scheduled = false;
      const chunks = this.#queue;
      this.#queue = [];
      for (const c of chunks) this.#receiver?.(c);
    }, 0);
  }
}

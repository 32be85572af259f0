// Splits XS meter counts (computrons) between the parts of the firmware.
// Every entry into a part goes through `enter`/`exit` (wrapped methods, timer
// callbacks); each boundary reads and restarts the engine's meter and charges
// the count to the part that was running, so each part's figure excludes the
// parts it called. The wrappers' own cost is measured on an empty method and
// taken off again, so the parts sum to the unwrapped run's total.
// XS only: `resetMeter` is the xsnap engine's.

declare function resetMeter(limit: number, index: number): number;

interface Part {
  meter: number;
  /** Entries into this part. */
  calls: number;
  /** Entries into other parts made from inside this one. */
  callsOut: number;
}

export class Profile {
  readonly #parts = new Map<string, Part>();
  #stack: Part[] = [];
  /** Wrapper cost charged to the callee and to the caller per call (measured by `calibrate`). */
  #inside = 0;
  #outside = 0;

  constructor(base: string) {
    this.#stack.push(this.#part(base));
  }

  #part(name: string): Part {
    let p = this.#parts.get(name);
    if (!p) this.#parts.set(name, (p = { meter: 0, calls: 0, callsOut: 0 }));
    return p;
  }

  /** What is running outside any wrapped call from now on (the harness, promise jobs). */
  base(name: string): void {
    const top = this.#stack[this.#stack.length - 1];
    top.meter += resetMeter(0, 0);
    this.#stack[0] = this.#part(name);
  }

  enter(name: string): void {
    const top = this.#stack[this.#stack.length - 1];
    top.meter += resetMeter(0, 0);
    top.callsOut++;
    const p = this.#part(name);
    p.calls++;
    this.#stack.push(p);
  }

  exit(): void {
    const top = this.#stack.pop()!;
    top.meter += resetMeter(0, 0);
  }

  wrap<A extends unknown[], R>(name: string, fn: (...args: A) => R): (...args: A) => R {
    const profile = this;
    return function (this: unknown, ...args: A): R {
      profile.enter(name);
      try {
        return fn.apply(this, args);
      } finally {
        profile.exit();
      }
    };
  }

  /** Wraps the named methods of a class (all its own methods when none are named). */
  wrapMethods(cls: { prototype: object }, name: string, methods?: string[]): void {
    const proto = cls.prototype as Record<string, unknown>;
    for (const key of methods ?? Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (key === 'constructor' || !d || typeof d.value !== 'function') continue;
      Object.defineProperty(proto, key, { ...d, value: this.wrap(name, d.value as (...a: unknown[]) => unknown) });
    }
  }

  /**
   * Wraps every method, getter and setter of a class one by one, each charged
   * to `prefix.name` (the per-function profile: `npx tsx bench/node/device.bench.ts
   * --functions`). Private methods cannot be reached: they are charged to the
   * public method or accessor that calls them.
   */
  wrapEach(cls: { prototype: object }, prefix: string): void {
    const proto = cls.prototype as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (key === 'constructor' || !d) continue;
      const wrapped: PropertyDescriptor = { ...d };
      if (typeof d.value === 'function') wrapped.value = this.wrap(`${prefix}.${key}`, d.value as (...a: unknown[]) => unknown);
      if (d.get) wrapped.get = this.wrap(`${prefix}.get ${key}`, d.get);
      if (d.set) wrapped.set = this.wrap(`${prefix}.set ${key}`, d.set);
      Object.defineProperty(proto, key, wrapped);
    }
  }

  /** Entries into a part so far. */
  calls(name: string): number {
    return this.#parts.get(name)?.calls ?? 0;
  }

  /** Timers whose callbacks are charged to `name`. */
  timers<T extends { set(cb: () => void, ms: number): unknown; repeat(cb: () => void, ms: number): unknown; clear(id: unknown): void }>(name: string, t: T): T {
    return {
      set: (cb: () => void, ms: number) => t.set(this.wrap(name, cb), ms),
      repeat: (cb: () => void, ms: number) => t.repeat(this.wrap(name, cb), ms),
      clear: (id: unknown) => t.clear(id),
    } as unknown as T;
  }

  /** Measures the wrapper's own cost on an empty function. */
  calibrate(): void {
    const n = 200;
    const probe = new Profile('probe-caller');
    const empty = probe.wrap('probe', (_x: number) => {});
    resetMeter(0, 0);
    for (let i = 0; i < n; i++) empty(i);
    probe.base('probe-caller');
    const loop = (_x: number) => {};
    resetMeter(0, 0);
    for (let i = 0; i < n; i++) loop(i);
    const bare = resetMeter(0, 0);
    this.#inside = probe.#parts.get('probe')!.meter / n;
    this.#outside = (probe.#parts.get('probe-caller')!.meter - bare) / n;
    resetMeter(0, 0);
  }

  /** Stops counting (charges the last stretch) and forgets everything counted so far. */
  reset(): void {
    resetMeter(0, 0);
    for (const p of this.#parts.values()) {
      p.meter = 0;
      p.calls = 0;
      p.callsOut = 0;
    }
  }

  /** Each part's computrons, the wrappers' cost taken off. */
  result(): Record<string, number> {
    this.#stack[this.#stack.length - 1].meter += resetMeter(0, 0);
    const out: Record<string, number> = {};
    for (const [name, p] of this.#parts) out[name] = p.meter - p.calls * this.#inside - p.callsOut * this.#outside;
    return out;
  }
}

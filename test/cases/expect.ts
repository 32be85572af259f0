// Assertions shared by both engines. Node runs them under vitest, XS under
// test/xs/run.mjs; keeping one implementation means a case cannot pass on one
// engine because of a looser matcher on the other.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `Uint8Array[${Array.from(value).join(',')}]`;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return false;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeCloseTo(expected: number, digits?: number): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeLessThan(n: number): void;
  toBeLessThanOrEqual(n: number): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeNull(): void;
  toContain(item: unknown): void;
  toMatch(pattern: RegExp | string): void;
  toHaveLength(n: number): void;
  toThrow(pattern?: RegExp | string): void;
  readonly not: Matchers;
}

function matchers(actual: unknown, negate: boolean): Matchers {
  const check = (pass: boolean, message: string) => {
    if (pass === negate) throw new AssertionError((negate ? 'not: ' : '') + message);
  };
  const num = (v: unknown): number => {
    if (typeof v !== 'number') throw new AssertionError(`expected a number, got ${show(v)}`);
    return v;
  };
  return {
    toBe: (e) => check(Object.is(actual, e), `expected ${show(actual)} to be ${show(e)}`),
    toEqual: (e) => check(deepEqual(actual, e), `expected ${show(actual)} to equal ${show(e)}`),
    toBeCloseTo: (e, digits = 2) =>
      check(Math.abs(num(actual) - e) < 10 ** -digits / 2, `expected ${show(actual)} to be close to ${e} (${digits} digits)`),
    toBeGreaterThan: (n) => check(num(actual) > n, `expected ${show(actual)} > ${n}`),
    toBeGreaterThanOrEqual: (n) => check(num(actual) >= n, `expected ${show(actual)} >= ${n}`),
    toBeLessThan: (n) => check(num(actual) < n, `expected ${show(actual)} < ${n}`),
    toBeLessThanOrEqual: (n) => check(num(actual) <= n, `expected ${show(actual)} <= ${n}`),
    toBeTruthy: () => check(!!actual, `expected ${show(actual)} to be truthy`),
    toBeFalsy: () => check(!actual, `expected ${show(actual)} to be falsy`),
    toBeUndefined: () => check(actual === undefined, `expected ${show(actual)} to be undefined`),
    toBeDefined: () => check(actual !== undefined, `expected a defined value`),
    toBeNull: () => check(actual === null, `expected ${show(actual)} to be null`),
    toContain: (item) => {
      const has =
        typeof actual === 'string'
          ? actual.includes(String(item))
          : Array.isArray(actual) && actual.some((x) => deepEqual(x, item));
      check(has, `expected ${show(actual)} to contain ${show(item)}`);
    },
    toMatch: (p) => {
      const s = String(actual);
      check(typeof p === 'string' ? s.includes(p) : p.test(s), `expected ${show(actual)} to match ${String(p)}`);
    },
    toHaveLength: (n) => {
      const len = (actual as { length?: unknown } | null)?.length;
      check(len === n, `expected length ${n}, got ${show(len)}`);
    },
    toThrow: (p) => {
      if (typeof actual !== 'function') throw new AssertionError('toThrow needs a function');
      let thrown: unknown;
      let threw = false;
      try {
        (actual as () => unknown)();
      } catch (e) {
        threw = true;
        thrown = e;
      }
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      const matches = !threw ? false : p === undefined ? true : typeof p === 'string' ? message.includes(p) : p.test(message);
      check(matches, threw ? `threw ${show(message)}, expected ${String(p)}` : 'expected the function to throw');
    },
    get not() {
      return matchers(actual, !negate);
    },
  };
}

export function expect(actual: unknown): Matchers {
  return matchers(actual, false);
}

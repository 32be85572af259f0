// Portable benchmark registry. A bench's `make` does the setup and returns the
// operation to measure; the runners time it on Node and meter it on XS.

export interface Bench {
  name: string;
  make: () => () => void;
}

const benches: Bench[] = [];

export function bench(name: string, make: () => () => void): void {
  benches.push({ name, make });
}

export function allBenches(): readonly Bench[] {
  return benches;
}

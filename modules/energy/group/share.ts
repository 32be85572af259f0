// Fair division of a circuit's current among the EVs that want charge: equal
// shares by water-filling (an EV that wants less than the share gets what it
// wants and the rest is shared again), never a share below the minimum pilot
// current. When the budget cannot give every EV the minimum, only as many as
// it can charge, and which ones rotates: the order is shifted by one every
// rotation period, so each EV waits its turn.

export interface Want {
  id: string;
  /** A this EV would take (its own maximum). */
  amps: number;
}

export interface DivideOptions {
  /** A to divide. */
  budget: number;
  wants: readonly Want[];
  /** A, the least a pilot may offer (6). */
  min: number;
  /** Which turn of the rotation this is (a counter that grows by one each period). */
  turn: number;
}

/** amps per id; ids left out get 0. Whole amps; the sum never exceeds the budget. */
export function divide(o: DivideOptions): Map<string, number> {
  const out = new Map<string, number>();
  const wanting = o.wants.filter((w) => w.amps >= o.min).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const w of o.wants) out.set(w.id, 0);
  const budget = Math.max(0, Math.floor(o.budget));
  if (wanting.length === 0) return out;
  const fits = Math.min(wanting.length, Math.floor(budget / o.min));
  const start = ((o.turn % wanting.length) + wanting.length) % wanting.length;
  const chosen: Want[] = [];
  for (let i = 0; i < fits; i++) chosen.push(wanting[(start + i) % wanting.length]);
  // Water-filling over the chosen, in whole amps.
  let left = budget;
  let open = chosen.slice().sort((a, b) => a.amps - b.amps);
  while (open.length > 0) {
    const share = Math.floor(left / open.length);
    const small = open.filter((w) => w.amps <= share);
    if (small.length === 0) {
      for (const w of open) out.set(w.id, share);
      left -= share * open.length;
      // Whole-amp remainders go one each, in rotation order.
      for (const w of chosen) {
        if (left <= 0) break;
        const now = out.get(w.id)!;
        if (open.includes(w) && now < w.amps) {
          out.set(w.id, now + 1);
          left--;
        }
      }
      break;
    }
    for (const w of small) {
      out.set(w.id, Math.floor(w.amps));
      left -= Math.floor(w.amps);
    }
    open = open.filter((w) => !small.includes(w));
  }
  return out;
}

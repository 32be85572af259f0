// `$AT` is sent whenever what it reports moves. The state machine compares
// what it reports at the end of a tick only when something may have moved
// (state-machine.ts `#moved`, at-report.ts) instead of on every tick. These
// cases hold that gate to the rule it replaced, `atEveryTick`: two stations,
// one with each, live through the same random storm (every fault, every
// safety RAPI command, limits, the heartbeat, temperatures, power cycles) and
// must hear the same controller events at the same milliseconds, with the
// same state and flags behind each.

import fc from 'fast-check';
import { describe, engine, it, expect } from '../harness';
import { stormEvents } from '../storm/events';
import { describeEvent, type StormEvent, StormWorld, type WorldObserver } from '../storm/world';

/** Records every controller event with the time and what `$AT` reports at that moment. */
class Recorder implements WorldObserver {
  readonly events: string[] = [];

  constructor(world: StormWorld) {
    const c = world.station.controller;
    c.addListener((e) => {
      this.events.push(`${world.clock.now()} ${e} ${c.state} ${c.pilotState} ${c.vflags} ${c.pilotAmps} ${c.hardFault} ${c.timeLimit} ${c.energyLimit}`);
    });
  }

  applied(): void {}

  tick(): string | undefined {
    return undefined;
  }
}

/** The first difference between the gated station's events and the every-tick one's, or undefined. */
function compare(events: readonly StormEvent[], minutes: number): { difference?: string; changes: number } {
  const gated = new StormWorld();
  const everyTick = new StormWorld({ atEveryTick: true });
  const a = new Recorder(gated);
  const b = new Recorder(everyTick);
  gated.run(events, minutes * 60_000, a);
  everyTick.run(events, minutes * 60_000, b);
  const changes = b.events.filter((e) => e.includes(' change ')).length;
  for (let i = 0; i < Math.max(a.events.length, b.events.length); i++) {
    if (a.events[i] !== b.events[i]) return { difference: `event ${i}: gated "${a.events[i]}", every tick "${b.events[i]}"`, changes };
  }
  return { changes };
}

describe('$AT: the end-of-tick comparison made only after something moved', () => {
  it('tells the same changes at the same times as comparing on every tick, under random storms', () => {
    const node = engine === 'node';
    const minutes = node ? 10 : 3;
    let changes = 0;
    const result = fc.check(
      fc.property(stormEvents(120), (events) => {
        const r = compare(events, minutes);
        changes += r.changes;
        return r.difference === undefined;
      }),
      { seed: 2611, numRuns: node ? 40 : 3 },
    );
    if (result.failed) {
      const events = (result.counterexample?.[0] ?? []) as StormEvent[];
      throw new Error([`${compare(events, minutes).difference}`, ...events.map((e) => `  ${describeEvent(e)}`)].join('\n'));
    }
    // Not vacuous: the storms moved what $AT reports many times.
    expect(changes).toBeGreaterThan(node ? 1000 : 5);
  }, 600_000);

  it('limits set, a current changed and a sleep between ticks: the same changes', () => {
    const events: StormEvent[] = [
      { d: 3000, k: 'plug' },
      { d: 1000, k: 'request', a: 1 },
      { d: 5000, k: 'rapi', c: 'S3 4' },
      { d: 3, k: 'rapi', c: 'SH 9' },
      { d: 1000, k: 'rapi', c: 'SC 20 V' },
      { d: 1000, k: 'temp', a: 660 },
      { d: 2000, k: 'rapi', c: 'FS' },
      { d: 2000, k: 'rapi', c: 'FE' },
    ];
    const r = compare(events, 0.5);
    expect(r.difference).toBe(undefined);
    expect(r.changes).toBeGreaterThan(5);
  });

  it('a leak that outlasts every GFCI retry: the lock-out, which moves only the latch, is told alike', () => {
    const events: StormEvent[] = [
      { d: 3000, k: 'plug' },
      { d: 1000, k: 'request', a: 1 },
      { d: 5000, k: 'leak', a: 300 },
    ];
    const gated = new StormWorld();
    gated.run(events, 7 * 60_000, new Recorder(gated));
    // The retries ran out (StormWorld retries after a minute, four times): the latch is now until unplug.
    expect(gated.station.controller.hardFault).toBe('unplug');
    expect(compare(events, 7).difference).toBe(undefined);
  });
});

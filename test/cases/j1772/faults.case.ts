import { describe, it, expect } from '../harness';
import { EvseState, Feature, VFlag } from '../../../modules/j1772/evse-state';
import { EARLY_FAULT_MS, FAULTS, latchFor, RETRY_COUNT, RETRY_DELAY_MS, RetryPolicy } from '../../../modules/j1772/faults';

describe('faults: the table', () => {
  it('the retry defaults are UL 2231 guidance: 15 minutes, 4 retries', () => {
    expect(RETRY_DELAY_MS).toBe(15 * 60 * 1000);
    expect(RETRY_COUNT).toBe(4);
  });

  it('each check is disabled by its OpenEVSE $GE bit (reference §2.17)', () => {
    expect(FAULTS[EvseState.DiodeCheckFailed].feature).toBe(0x0002);
    expect(FAULTS[EvseState.D].feature).toBe(0x0004);
    expect(FAULTS[EvseState.NoGround].feature).toBe(0x0008);
    expect(FAULTS[EvseState.StuckRelay].feature).toBe(0x0010);
    expect(FAULTS[EvseState.GfciTestFailed].feature).toBe(0x0200);
    expect(FAULTS[EvseState.OverTemperature].feature).toBe(0x0400);
    // GFCI protection itself cannot be turned off ($FF F only skips the self test).
    expect(FAULTS[EvseState.GfciFault].feature).toBeUndefined();
    expect(Feature.ButtonDisabled).toBe(0x8000);
  });

  it('stuck relay is permanent; GFCI and no-ground retry; the rest wait for unplug', () => {
    expect(FAULTS[EvseState.StuckRelay].latch).toBe('permanent');
    expect(FAULTS[EvseState.GfciFault].latch).toBe('retry');
    expect(FAULTS[EvseState.NoGround].latch).toBe('retry');
    for (const s of [EvseState.D, EvseState.DiodeCheckFailed, EvseState.GfciTestFailed, EvseState.OverTemperature, EvseState.OverCurrent]) {
      expect(FAULTS[s].latch).toBe('unplug');
    }
  });

  it('over-temperature lets the EV stop for 5 s, over-current for 1 s; the others open at once', () => {
    expect(FAULTS[EvseState.OverTemperature].relayDelayMs).toBe(5000);
    expect(FAULTS[EvseState.OverCurrent].relayDelayMs).toBe(1000);
    expect(FAULTS[EvseState.GfciFault].relayDelayMs).toBe(0);
    expect(FAULTS[EvseState.NoGround].relayDelayMs).toBe(0);
  });

  it('GFCI and no-ground raise their "since boot" vflags 0x0080 and 0x0020', () => {
    expect(FAULTS[EvseState.GfciFault].vflag).toBe(VFlag.GfciTripped);
    expect(VFlag.GfciTripped).toBe(0x0080);
    expect(FAULTS[EvseState.NoGround].vflag).toBe(0x0020);
  });

  it('a retryable fault within 2 s of the relay closing is latched until unplug', () => {
    const gfci = FAULTS[EvseState.GfciFault];
    expect(EARLY_FAULT_MS).toBe(2000);
    expect(latchFor(gfci, 11_999, 10_000)).toBe('unplug');
    expect(latchFor(gfci, 12_000, 10_000)).toBe('retry');
    expect(latchFor(gfci, 5000, -1)).toBe('retry');
    expect(latchFor(FAULTS[EvseState.StuckRelay], 10_001, 10_000)).toBe('permanent');
  });
});

describe('faults: retry policy', () => {
  it('waits the delay, retries count times, then locks out; unplug resets it', () => {
    const r = new RetryPolicy({ delayMs: 1000, count: 2 });
    expect(r.decide(999)).toBe('wait');
    expect(r.decide(1000)).toBe('retry');
    expect(r.decide(1000)).toBe('retry');
    expect(r.decide(1000)).toBe('lockout');
    expect(r.retries).toBe(2);
    r.reset();
    expect(r.decide(5000)).toBe('retry');
  });

  it('refuses a negative delay or a fractional count', () => {
    expect(() => new RetryPolicy({ delayMs: -1 })).toThrow();
    expect(() => new RetryPolicy({ count: 1.5 })).toThrow();
  });
});

describe('faults: the supervisor asks only the checks in force', () => {
  /** A check that counts its evaluations, fails on the `failAt`-th in a row, and forgets on reset. */
  function counting(fault: number, failAt = 3) {
    const log: string[] = [];
    let run = 0;
    return {
      log,
      check: {
        fault,
        evaluate: () => {
          log.push('evaluate');
          return ++run >= failAt;
        },
        reset: () => {
          log.push('reset');
          run = 0;
        },
      },
    };
  }
  const sense = { now: 0, relayClosed: true, relayChangedAt: 0, relayOpening: false, liveLines: 2, charging: true, milliamps: 0, offeredAmps: 32, gfci: false, thermal: 0, selfTesting: false, pilotMode: 'pwm' as const };

  it('a check disabled half-way is reset, not asked while disabled, and starts afresh when enabled again', async () => {
    const { FaultSupervisor } = await import('../../../modules/j1772/faults');
    const ground = counting(EvseState.NoGround);
    const temp = counting(EvseState.OverTemperature, Infinity);
    const sup = new FaultSupervisor([ground.check, temp.check], new RetryPolicy());
    expect(sup.check(sense, 0)).toBe(0);
    expect(sup.check(sense, 0)).toBe(0); // two of three
    const off = Feature.GroundCheckDisabled;
    for (let i = 0; i < 5; i++) expect(sup.check(sense, off)).toBe(0);
    expect(ground.log).toEqual(['evaluate', 'evaluate', 'reset']);
    // Enabled again: three evaluations are needed again, not one.
    expect(sup.check(sense, 0)).toBe(0);
    expect(sup.check(sense, 0)).toBe(0);
    expect(sup.check(sense, 0)).toBe(EvseState.NoGround);
    expect(ground.log).toEqual(['evaluate', 'evaluate', 'reset', 'evaluate', 'evaluate', 'evaluate']);
    // The other check was asked on every call until the ground check failed first.
    expect(temp.log).toEqual(Array(9).fill('evaluate'));
  });

  it('the first failing check in order wins, and its fault is returned', async () => {
    const { FaultSupervisor } = await import('../../../modules/j1772/faults');
    const a = counting(EvseState.NoGround);
    const b = counting(EvseState.OverTemperature);
    const sup = new FaultSupervisor([a.check, b.check], new RetryPolicy());
    sup.check(sense, 0);
    sup.check(sense, 0);
    expect(sup.check(sense, 0)).toBe(EvseState.NoGround);
    expect(sup.check(sense, Feature.GroundCheckDisabled)).toBe(EvseState.OverTemperature);
  });
});

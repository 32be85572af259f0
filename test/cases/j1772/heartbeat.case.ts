import { describe, it, expect } from '../harness';
import { Heartbeat, Trigger } from '../../../modules/j1772/heartbeat';

describe('heartbeat supervision', () => {
  it('a pulse within the interval keeps it quiet; silence longer than it is a miss', () => {
    const h = new Heartbeat(5, 6, 0);
    expect(h.expired(5000)).toBe(false);
    expect(h.pulse(5000)).toBe(true);
    expect(h.expired(10_000)).toBe(false);
    expect(h.expired(10_001)).toBe(true);
    expect(h.trigger).toBe(Trigger.Missed);
  });

  it('a 100 s interval expires after 100 s, not after the 16-bit wrap at 34.5 s', () => {
    const h = new Heartbeat(100, 6, 0);
    expect(h.expired(35_000)).toBe(false);
    expect(h.expired(99_999)).toBe(false);
    expect(h.expired(100_001)).toBe(true);
  });

  it('pulses are refused while a miss is unacknowledged; the ack clears it to 1', () => {
    const h = new Heartbeat(1, 6, 0);
    expect(h.expired(1001)).toBe(true);
    expect(h.pulse(1100)).toBe(false);
    expect(h.acknowledge(1200)).toBe(true);
    expect(h.trigger).toBe(Trigger.Acknowledged);
    expect(h.pulse(1300)).toBe(true);
    expect(h.acknowledge(1400)).toBe(false);
  });

  it('interval 0 never expires', () => {
    const h = new Heartbeat(0, 6, 0);
    expect(h.expired(10 ** 9)).toBe(false);
  });

  it('reconfiguring clears the trigger', () => {
    const h = new Heartbeat(1, 6, 0);
    h.expired(2000);
    h.configure(5, 6, 2000);
    expect(h.trigger).toBe(Trigger.Never);
  });
});

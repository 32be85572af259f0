// Nothing lost offline: the central system goes away during a transaction,
// the charger keeps charging, queues its transaction messages (persisted),
// and delivers every one, in order, when the central system is back, also
// after a power cut of the charger in between.
import { afterEach, describe, it } from 'vitest';
import { expect } from '../../cases/expect';
import { CentralSystem, type LogEntry } from '../../../hosts/node/central-system';
import { EvseState } from '../../../modules/j1772/evse-state';
import type { QueuedMessage } from '../../../modules/ocpp/transaction-queue';
import { MemoryStorage } from '../../../sim/memory-storage';
import { charging, makeRig, type Rig } from './rig';

const systems: CentralSystem[] = [];
const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) r.cp.stop();
  for (const s of systems.splice(0)) await s.close();
});

async function central(port = 0): Promise<CentralSystem> {
  const cs = await CentralSystem.start({ port, firstTransactionId: 100 + systems.length * 100 });
  systems.push(cs);
  return cs;
}

/** Records every transaction message the charger generates. */
function spy(rig: Rig): QueuedMessage[] {
  const generated: QueuedMessage[] = [];
  const q = rig.cp.queue;
  const push = q.push.bind(q);
  q.push = (m, busy) => {
    generated.push(structuredClone(m));
    push(m, busy);
  };
  return generated;
}

const TX = ['StartTransaction', 'StopTransaction', 'MeterValues'];

/**
 * OCPP-J has no delivery receipts beyond the CALLRESULT: a message the central
 * system handled whose answer the outage swallowed is sent again (at least
 * once). Collapses such back-to-back repeats and counts them.
 */
function collapse(stamps: string[]): { stamps: string[]; repeats: number } {
  const out: string[] = [];
  for (const s of stamps) if (out[out.length - 1] !== s) out.push(s);
  return { stamps: out, repeats: stamps.length - out.length };
}
const txLog = (...css: CentralSystem[]): LogEntry[] => css.flatMap((c) => c.log).filter((e) => e.from === 'cp' && TX.includes(e.action));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stamp = (e: { action: string; params?: Record<string, unknown>; payload?: Record<string, unknown> }): string => {
  const p = (e.params ?? e.payload)!;
  return `${e.action}@${(p.timestamp as string) ?? (p.meterValue as { timestamp: string }[])[0].timestamp}`;
};

describe('CSMS outage during a transaction', () => {
  it('every Start, MeterValues and Stop reaches the central system, in order, with the right transaction id', async () => {
    const cs1 = await central();
    const rig = makeRig(cs1.url);
    rigs.push(rig);
    const generated = spy(rig);
    rig.cp.start();
    await cs1.waitFor(() => cs1.sent('CP1', 'StatusNotification').length >= 2, 5000, 'boot');
    await cs1.call('CP1', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });
    charging(rig.reading, 16);
    await cs1.waitFor(() => cs1.sent('CP1', 'MeterValues').length >= 1, 4000, 'first meter value');
    const port = cs1.port;
    await cs1.close();
    await cs1.waitFor(() => !rig.cp.connected, 3000, 'charger sees the outage');
    // Offline: the EV keeps charging, leaves, a second EV arrives (free vend starts offline) and charges.
    await sleep(2300);
    Object.assign(rig.reading, { plugged: false, state: EvseState.A, energyWh: 1800 });
    await sleep(100);
    charging(rig.reading, 10);
    await sleep(1300);
    expect(rig.cp.queue.size).toBeGreaterThanOrEqual(5);
    const cs2 = await central(port);
    await cs2.waitFor(() => rig.cp.queue.size === 0 && rig.cp.transactions.transactionId !== undefined, 10000, 'queue drained');
    Object.assign(rig.reading, { plugged: false, state: EvseState.A });
    await cs2.waitFor(() => cs2.sent('CP1', 'StopTransaction').length === 2, 4000, 'second stop');
    const delivered = txLog(cs1, cs2);
    const seen = collapse(delivered.map(stamp));
    expect(seen.stamps).toEqual(generated.map(stamp));
    expect(seen.repeats).toBeLessThanOrEqual(1);
    expect(rig.cp.queue.dropped).toBe(0);
    // The first session's Stop and the second session's messages carry the ids the central systems gave.
    const starts = delivered.filter((e) => e.action === 'StartTransaction');
    expect(starts.map((e) => e.result!.transactionId)).toEqual([100, 200]);
    const stops = delivered.filter((e) => e.action === 'StopTransaction');
    expect(stops.map((e) => [e.params.transactionId, e.params.reason])).toEqual([
      [100, 'EVDisconnected'],
      [200, 'EVDisconnected'],
    ]);
    const second = delivered.slice(delivered.indexOf(starts[1]) + 1).filter((e) => e.action === 'MeterValues');
    expect(second.length).toBeGreaterThanOrEqual(1);
    expect(second.every((e) => e.params.transactionId === 200)).toBe(true);
    expect([...cs1.failures, ...cs2.failures]).toEqual([]);
  });

  it('a power cut while offline: after the reboot the queue and a PowerLoss stop are delivered', async () => {
    const cs1 = await central();
    const storage = new MemoryStorage();
    const rig = makeRig(cs1.url, {}, storage);
    rigs.push(rig);
    const generated = spy(rig);
    rig.cp.start();
    await cs1.waitFor(() => cs1.sent('CP1', 'StatusNotification').length >= 2, 5000, 'boot');
    await cs1.call('CP1', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });
    charging(rig.reading, 16);
    await cs1.waitFor(() => rig.cp.transactions.transactionId !== undefined, 4000, 'start answered');
    const port = cs1.port;
    await cs1.close();
    rig.reading.energyWh = 1700;
    await sleep(1500);
    rig.cp.stop(); // the power goes: nothing more is written
    const queued = rig.cp.queue.size;
    expect(queued).toBeGreaterThanOrEqual(1);
    const cs2 = await central(port);
    const after = makeRig(cs2.url, {}, new MemoryStorage(storage.snapshot()));
    rigs.push(after);
    after.cp.start();
    await cs2.waitFor(() => cs2.sent('CP1', 'StopTransaction').length === 1 && after.cp.queue.size === 0, 8000, 'stop after reboot');
    const delivered = txLog(cs1, cs2);
    const seen = collapse(delivered.map(stamp));
    expect(seen.stamps.slice(0, generated.length)).toEqual(generated.map(stamp));
    expect(seen.repeats).toBeLessThanOrEqual(1);
    const stop = cs2.sent('CP1', 'StopTransaction')[0];
    expect(stop.params.reason).toBe('PowerLoss');
    expect(stop.params.transactionId).toBe(100);
    expect(stop.params.meterStop).toBe(1700);
    expect([...cs1.failures, ...cs2.failures]).toEqual([]);
  });
});

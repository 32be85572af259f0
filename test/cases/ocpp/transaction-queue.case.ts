// The persisted offline queue of transaction messages: order, the central
// system's transaction id filled in late, the bound (oldest meter values go
// first, never a Start or Stop) and recovery after a power cut between writes.
import { describe, it, expect } from '../harness';
import { TransactionQueue, type QueuedMessage } from '../../../modules/ocpp/transaction-queue';
import { MemoryStorage } from '../../../sim/memory-storage';

const mv = (tx: number, n: number): QueuedMessage => ({ action: 'MeterValues', tx, payload: { connectorId: 1, n } });
const start = (tx: number): QueuedMessage => ({ action: 'StartTransaction', tx, payload: { connectorId: 1, idTag: 'A', meterStart: 0, timestamp: 't' } });
const stop = (tx: number): QueuedMessage => ({ action: 'StopTransaction', tx, payload: { transactionId: 0, meterStop: 5, timestamp: 't' } });

function drain(q: TransactionQueue, id = 42): QueuedMessage[] {
  const out: QueuedMessage[] = [];
  for (let m = q.peek(); m; m = q.peek()) {
    out.push(m);
    q.shift(m.action === 'StartTransaction' ? { transactionId: id } : undefined);
  }
  return out;
}

describe('transaction queue', () => {
  it('delivers in order and fills in the transaction id the central system gave the Start', () => {
    const q = new TransactionQueue({ storage: new MemoryStorage() });
    q.push(start(1));
    q.push(mv(1, 1));
    q.push(stop(1));
    const out = drain(q, 77);
    expect(out.map((m) => m.action)).toEqual(['StartTransaction', 'MeterValues', 'StopTransaction']);
    expect(out[1].payload.transactionId).toBe(77);
    expect(out[2].payload.transactionId).toBe(77);
  });

  it('survives a reboot, also one between writing a message and the index', () => {
    const storage = new MemoryStorage();
    const q = new TransactionQueue({ storage });
    q.push(start(1));
    q.push(mv(1, 1));
    const index = storage.read('ocpp.q') as string;
    q.push(mv(1, 2));
    storage.write('ocpp.q', index); // the power went after the message, before the index
    const after = new TransactionQueue({ storage });
    expect(after.size).toBe(3);
    expect(drain(after).map((m) => m.payload.n ?? m.action)).toEqual(['StartTransaction', 1, 2]);
    expect(after.newTransaction()).toBe(2);
  });

  it('at the bound the oldest meter values go first, never a Start or Stop, never the one in flight', () => {
    const q = new TransactionQueue({ storage: new MemoryStorage(), bound: 4 });
    q.push(start(1));
    q.push(mv(1, 1));
    q.push(mv(1, 2));
    q.push(mv(1, 3));
    q.push(mv(1, 4));
    q.push(stop(1));
    expect(q.dropped).toBe(2);
    expect(q.peek()?.action).toBe('StartTransaction');
    q.push(start(2));
    q.push(stop(2));
    expect(q.dropped).toBe(4);
    q.push(start(3)); // nothing left to drop: the bound gives way to a Start
    expect(q.size).toBe(5);
    const out = drain(q);
    expect(out.map((m) => `${m.action}${m.tx}`)).toEqual(['StartTransaction1', 'StopTransaction1', 'StartTransaction2', 'StopTransaction2', 'StartTransaction3']);
    const full = new TransactionQueue({ storage: new MemoryStorage(), bound: 2 });
    full.push(mv(1, 1));
    full.push(mv(1, 2));
    full.push(mv(1, 3), true);
    expect(drain(full).map((m) => m.payload.n)).toEqual([1, 3]);
  });
});

// The charge point on a virtual clock with a socket the test plays the central
// system on, frame by frame: one outstanding CALL, timeouts, retries with
// back-off, reconnection back-off, answers to malformed requests.
import { describe, it, expect } from '../harness';
import { ChargePoint } from '../../../modules/ocpp/charge-point';
import type { ChargerReading } from '../../../modules/ocpp/connector-status';
import type { WebSocketConnectOptions, WebSocketEvents } from '../../../modules/ports';
import { EvseState } from '../../../modules/j1772/evse-state';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage } from '../../../sim/memory-storage';

class Wire {
  opened: WebSocketConnectOptions[] = [];
  events?: WebSocketEvents;
  out: unknown[][] = [];
  auto?: (m: unknown[]) => unknown;
  connect = (options: WebSocketConnectOptions, events: WebSocketEvents) => {
    this.opened.push(options);
    this.events = events;
    return {
      send: (t: string) => {
        const m = JSON.parse(t) as unknown[];
        this.out.push(m);
        if (m[0] === 2) this.auto?.(m);
      },
      close: () => {},
    };
  };
  /** The last CALL the charger sent. */
  lastCall(): unknown[] {
    const calls = this.out.filter((m) => m[0] === 2);
    return calls[calls.length - 1];
  }
  answer(payload: Record<string, unknown>): void {
    this.events!.onMessage(JSON.stringify([3, this.lastCall()[1], payload]));
  }
}

function setup(storage = new MemoryStorage()) {
  const clock = new VirtualClock({ wall: Date.UTC(2026, 5, 1, 10) });
  const wire = new Wire();
  const reading: ChargerReading = { state: EvseState.A, plugged: false, energyWh: 500, powerW: 0, currentA: 0, offeredA: 32, voltageV: 230 };
  const cp = new ChargePoint({
    clock,
    timers: clock,
    storage,
    connect: wire.connect,
    settings: () => ({ server: 'ws://cs/ocpp', chargeBoxId: 'cp-7', authKey: 'k', idTag: 'FREE', authAuto: true, authOffline: true, suspendEvse: true, energizePlug: true }),
    reading: () => reading,
    identity: { chargePointVendor: 'v', chargePointModel: 'm' },
    electrical: () => ({ voltage: 230, phases: 1 }),
    currents: () => ({ min: 6, max: 32 }),
    callTimeout: 10000,
    maxBackoff: 8000,
  });
  return { clock, wire, reading, cp, storage };
}

function boot(t: ReturnType<typeof setup>): void {
  t.cp.start();
  t.wire.events!.onOpen('ocpp1.6');
  t.wire.answer({ status: 'Accepted', currentTime: '2026-06-01T10:00:00Z', interval: 60 });
  for (let i = 0; i < 2; i++) t.wire.answer({});
}

describe('charge point on a virtual clock', () => {
  it('opens ws URL + charge box id with ocpp1.6 and Basic auth; closes if the server picks another subprotocol', () => {
    const t = setup();
    t.cp.start();
    expect(t.wire.opened[0]).toEqual({ url: 'ws://cs/ocpp/cp-7', protocols: ['ocpp1.6'], headers: { authorization: 'Basic Y3AtNzpr' }, rejectUnauthorized: true, ca: undefined });
    t.wire.events!.onOpen('');
    expect(t.cp.connected).toBe(false);
  });

  it('one CALL outstanding at a time; the next goes when the answer arrives', () => {
    const t = setup();
    boot(t);
    t.cp.heartbeat();
    t.cp.heartbeat();
    expect(t.wire.out.filter((m) => m[2] === 'Heartbeat')).toHaveLength(1);
    t.wire.answer({ currentTime: '2026-06-01T10:00:01Z' });
    expect(t.wire.out.filter((m) => m[2] === 'Heartbeat')).toHaveLength(2);
    const ids = t.wire.out.filter((m) => m[0] === 2).map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a CALL unanswered for the timeout is given up and the queue moves on', () => {
    const t = setup();
    boot(t);
    t.cp.heartbeat();
    t.cp.statusNotification(0);
    t.clock.advance(9999);
    expect(t.wire.lastCall()[2]).toBe('Heartbeat');
    t.clock.advance(1);
    expect(t.wire.lastCall()[2]).toBe('StatusNotification');
  });

  it('a failed StartTransaction is retried after TransactionMessageRetryInterval × attempt, and never dropped', () => {
    const t = setup();
    boot(t);
    t.reading.plugged = true;
    t.reading.state = EvseState.B;
    t.clock.advance(200);
    const sent = () => t.wire.out.filter((m) => m[2] === 'StartTransaction').length;
    expect(sent()).toBe(1);
    // The central system answers everything but the Start at once (the next tick).
    t.wire.auto = (m) => m[2] !== 'StartTransaction' && t.clock.set(() => t.wire.events!.onMessage(JSON.stringify([3, m[1], m[2] === 'Heartbeat' ? { currentTime: '2026-06-01T10:00:00Z' } : {}])), 0);
    const fail = () => t.wire.events!.onMessage(JSON.stringify([4, t.wire.out.filter((m) => m[2] === 'StartTransaction').pop()![1], 'InternalError', 'db down', {}]));
    fail();
    t.clock.advance(19999);
    expect(sent()).toBe(1);
    t.clock.advance(1);
    expect(sent()).toBe(2);
    fail();
    t.clock.advance(39999);
    expect(sent()).toBe(2);
    t.clock.advance(1);
    expect(sent()).toBe(3);
    fail();
    t.clock.advance(60000);
    expect(sent()).toBe(4);
  });

  it('reconnects with back-off 1, 2, 4, 8, 8 s', () => {
    const t = setup();
    t.cp.start();
    const at: number[] = [];
    for (let i = 0; i < 5; i++) {
      t.wire.events!.onClose('refused');
      const n = t.wire.opened.length;
      const from = t.clock.now();
      while (t.wire.opened.length === n) t.clock.advance(100);
      at.push(t.clock.now() - from);
    }
    expect(at).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('malformed requests are answered with the OCPP error for them', () => {
    const t = setup();
    boot(t);
    const before = t.wire.out.length;
    const send = (f: string) => t.wire.events!.onMessage(f);
    send('[2,"a","ChangeAvailability",{"connectorId":"one","type":"Operative"}]');
    send('[2,"b","RemoteStopTransaction",{}]');
    send('[2,"c","Reset",{"type":"Medium"}]');
    send('[2,"d","GetDiagnostics",{"location":"ftp://x"}]');
    send('[2,"e","Reset"]');
    send('garbage');
    expect(t.wire.out.slice(before).map((m) => [m[0], m[1], m[2]])).toEqual([
      [4, 'a', 'TypeConstraintViolation'],
      [4, 'b', 'OccurenceConstraintViolation'],
      [4, 'c', 'PropertyConstraintViolation'],
      [4, 'd', 'NotImplemented'],
      [4, 'e', 'FormationViolation'],
    ]);
  });

  it('offline: free vend starts a transaction with no central system; the queue holds it for later', () => {
    const t = setup();
    t.cp.start();
    t.wire.events!.onClose('no route');
    t.reading.plugged = true;
    t.reading.state = EvseState.B;
    t.clock.advance(200);
    expect(t.cp.transactions.open?.idTag).toBe('FREE');
    expect(t.cp.claim).toEqual({ state: 'active' });
    expect(t.cp.queue.size).toBe(1);
  });

  it('clock-aligned meter values every ClockAlignedDataInterval from midnight UTC', () => {
    const t = setup();
    boot(t);
    expect(t.cp.config.change('ClockAlignedDataInterval', '900')).toBe('Accepted');
    t.clock.advance(200);
    const clocks = () => t.wire.out.filter((m) => m[2] === 'MeterValues');
    t.clock.advance(899000);
    expect(clocks()).toHaveLength(0);
    t.clock.advance(1000);
    expect(clocks()).toHaveLength(1);
    const mv = clocks()[0][3] as { meterValue: { timestamp: string; sampledValue: { context: string }[] }[] };
    expect(mv.meterValue[0].timestamp).toBe('2026-06-01T10:15:00.000Z');
    expect(mv.meterValue[0].sampledValue[0].context).toBe('Sample.Clock');
  });
});

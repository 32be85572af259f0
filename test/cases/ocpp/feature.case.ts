// The OCPP feature in a gateway with the simulated station, on a virtual
// clock, on both engines: the central system (played frame by frame) sees the
// plug-in as a transaction, and its 0 A profile pauses the real controller
// through the claims arbiter when ocpp_suspend_evse is on.
import { describe, it, expect } from '../harness';
import { ocppFeature, OCPP_CLIENT } from '../../../modules/gateway/features/ocpp';
import { STANDARD_FEATURES } from '../../../modules/gateway/features/standard';
import type { ChargePoint } from '../../../modules/ocpp/charge-point';
import type { WebSocketConnectOptions, WebSocketEvents } from '../../../modules/ports';
import { EvseState } from '../../../modules/j1772/evse-state';
import { standalone } from '../gateway/standalone';

/** Plays a central system that accepts everything, answering on the next tick. */
function centralSystem() {
  const sent: unknown[][] = [];
  const opened: WebSocketConnectOptions[] = [];
  let events: WebSocketEvents | undefined;
  let nextTx = 40;
  let later: (fn: () => void) => void = () => {};
  const answers: Record<string, () => Record<string, unknown>> = {
    BootNotification: () => ({ status: 'Accepted', currentTime: '2026-01-01T00:00:00Z', interval: 300 }),
    StartTransaction: () => ({ transactionId: nextTx++, idTagInfo: { status: 'Accepted' } }),
    Heartbeat: () => ({ currentTime: '2026-01-01T00:00:00Z' }),
  };
  return {
    sent,
    opened,
    set later(fn: (f: () => void) => void) {
      later = fn;
    },
    connect: (o: WebSocketConnectOptions, e: WebSocketEvents) => {
      opened.push(o);
      events = e;
      later(() => e.onOpen('ocpp1.6'));
      return {
        send: (text: string) => {
          const m = JSON.parse(text) as unknown[];
          sent.push(m);
          if (m[0] === 2) later(() => events!.onMessage(JSON.stringify([3, m[1], (answers[m[2] as string] ?? (() => ({})))()])));
        },
        close: () => {},
      };
    },
    call(action: string, payload: Record<string, unknown>): void {
      events!.onMessage(JSON.stringify([2, `cs-${sent.length}`, action, payload]));
    },
    of: (action: string) => sent.filter((m) => m[0] === 2 && m[2] === action).map((m) => m[3] as Record<string, unknown>),
  };
}

describe('OCPP feature in the gateway', () => {
  it('plug-in → StartTransaction; 0 A with ocpp_suspend_evse → the controller sleeps; 16 A → charging at 16 A', async () => {
    const cs = centralSystem();
    let cp: ChargePoint | undefined;
    const g = standalone({ features: [...STANDARD_FEATURES, ocppFeature({ connect: cs.connect, onChargePoint: (c) => (cp = c) })] });
    cs.later = (fn) => g.clock.set(fn, 5);
    const r = await g.post('/config', { ocpp_enabled: true, ocpp_server: 'ws://cs.example/ocpp', ocpp_chargeBoxId: 'xs-1', ocpp_suspend_evse: true, ocpp_energize_plug: true });
    expect(r.status).toBe(200);
    await g.run(2000);
    expect(cs.opened[0].url).toBe('ws://cs.example/ocpp/xs-1');
    expect((await g.status()).ocpp_connected).toBe(1);
    g.station.ev.plug();
    await g.run(3000);
    expect(cs.of('StartTransaction')).toHaveLength(1);
    expect((await g.status()).ocpp_transaction_id).toBe(40);
    expect(g.station.controller.state).toBe(EvseState.C);
    cs.call('SetChargingProfile', { connectorId: 1, csChargingProfiles: { chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 0 }] } } });
    await g.run(3000);
    expect(g.gateway.arbiter.claims.get(OCPP_CLIENT)?.properties).toEqual({ state: 'disabled' });
    expect(g.station.controller.state).toBe(EvseState.Sleeping);
    expect(cs.of('StatusNotification').map((p) => p.status)).toContain('SuspendedEVSE');
    cs.call('SetChargingProfile', { connectorId: 1, csChargingProfiles: { chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] } } });
    await g.run(5000);
    expect(g.station.controller.state).toBe(EvseState.C);
    expect(g.station.controller.pilotAmps).toBe(16);
    expect((await g.status()).ocpp_limit).toBe(16);
    expect(cp?.connected).toBe(true);
  });

  it('ocpp_enabled off releases the claim and closes the connection', async () => {
    const cs = centralSystem();
    const g = standalone({ features: [...STANDARD_FEATURES, ocppFeature({ connect: cs.connect })] });
    cs.later = (fn) => g.clock.set(fn, 5);
    await g.post('/config', { ocpp_enabled: true, ocpp_server: 'ws://cs.example/ocpp', ocpp_chargeBoxId: 'xs-2', ocpp_suspend_evse: true, ocpp_auth_auto: false });
    await g.run(2000);
    expect(g.gateway.arbiter.claims.get(OCPP_CLIENT)?.properties).toEqual({ state: 'disabled' });
    expect((await g.post('/config', { ocpp_server: 'http://nope' })).status).toBe(400);
    await g.post('/config', { ocpp_enabled: false });
    await g.run(500);
    expect(g.gateway.arbiter.claims.get(OCPP_CLIENT)).toBeUndefined();
    expect((await g.status()).ocpp_status).toBe('disabled');
  });
});

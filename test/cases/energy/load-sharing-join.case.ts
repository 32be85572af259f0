// A charger joining a group while its controller is still in its power-on
// self test, with an EV plugged in the moment the test ends: the window in
// which the four-charger test saw a pilot at 32 A (and two of them, 64 A, on
// a 30 A circuit). The controller must come up asleep, so the pilot offers
// nothing before the group's lease allows it; checked every virtual ms.
import { describe, expect, it } from '../harness';
import { Gateway } from '../../../modules/gateway/gateway';
import { STANDARD_FEATURES } from '../../../modules/gateway/features/standard';
import { loadSharingFeature } from '../../../modules/gateway/features/load-sharing';
import { quarantineMs, GROUP_TIMING } from '../../../modules/energy/group/timing';
import { LinkEnd } from '../../../modules/rapi/link';
import { SimStation } from '../../../sim/station';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage, bodyJson, flush, request, settle } from '../gateway/fixtures';

const GROUP = { group_enabled: true, group_key: 'garage key', group_limit: 30, group_size: 4, group_members: '', group_rotation_time: 30 };

function charger(storage = new MemoryStorage()) {
  const clock = new VirtualClock();
  const [gw, ctl] = LinkEnd.pair(clock);
  const station = new SimStation({ clock, output: ctl });
  ctl.onReceive((b) => station.receive(b));
  const gateway = new Gateway({ clock, timers: clock, storage, link: gw, info: { id: 'a1b2c3d4e5f6', version: '5.1.0' }, features: [...STANDARD_FEATURES, loadSharingFeature({})] });
  gw.onReceive((b) => gateway.receive(b));
  let max = 0;
  let samples = 0;
  const run = async (ms: number, until?: () => boolean) => {
    for (let t = 0; t < ms && !until?.(); t++) {
      clock.advance(1);
      await flush(4);
      samples++;
      max = Math.max(max, station.pilot.offer);
    }
  };
  const post = (body: unknown) => settle(clock, gateway.http(request('POST', '/config', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })));
  const get = (path: string) => settle(clock, gateway.http(request('GET', path))).then(bodyJson);
  return { clock, station, gateway, run, post, get, stats: () => ({ max, samples }) };
}

describe('a charger joining a load-sharing group', () => {
  it('configured during its controller self test, EV plugged as the test ends: no current before the quarantine ends', async () => {
    const c = charger();
    c.station.start();
    c.gateway.start();
    await c.run(20);
    expect(c.station.controller.state).toBe(0); // in its self test
    expect((await c.post(GROUP)).status).toBe(200);
    expect(c.station.controller.state).toBe(0); // in its self test
    // The EV is there the moment the self test ends, before the gateway has read the boot.
    let booted = false;
    c.station.controller.addListener((e) => {
      if (e === 'boot' && !booted) {
        booted = true;
        c.station.ev.plug();
      }
    });
    await c.run(10000, () => booted);
    expect(booted).toBe(true);
    // Quarantine: nothing at all; then the fallback share, ⌊30 / 4⌋ = 7 A.
    await c.run(quarantineMs(GROUP_TIMING) - 1000);
    expect(c.stats().max).toBe(0);
    await c.run(3000);
    expect(c.station.pilot.offer).toBe(7);
    expect(c.stats().max).toBe(7);
    expect((await c.get('/group')).held).toBe(true);
  });

  it('/group says held only once the controller is bound: auto-start off and paused under the quarantine', async () => {
    const c = charger();
    c.station.start();
    c.gateway.start();
    await c.run(3000);
    expect(c.station.controller.state).not.toBe(0);
    expect((await c.get('/group')).held).toBe(false);
    expect((await c.post(GROUP)).status).toBe(200);
    let held = false;
    for (let i = 0; i < 50 && !held; i++) {
      await c.run(20);
      held = (await c.get('/group')).held === true;
    }
    expect(held).toBe(true);
    expect(c.station.controller.featureEnabled(0x0040)).toBe(false);
    // Bound: an EV plugged in now sees nothing until the quarantine ends.
    c.station.ev.plug();
    await c.run(5000);
    expect(c.stats().max).toBe(0);
  });
});

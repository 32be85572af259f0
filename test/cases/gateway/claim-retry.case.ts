// The arbiter converges on what the controller reports, not on what it sent:
// a claim's `$SC` that the wire loses (or whose OK it loses) is checked
// against the controller's re-read state and sent again with back-off
// (1 s, doubling up to 30 s) until the controller shows the claim. The wire
// here is the in-process RAPI link with a fault between the two ends, as a
// noisy UART or a controller busy past the 500 ms reply timeout would be.
import { describe, it, expect } from '../harness';
import { Gateway } from '../../../modules/gateway/gateway';
import { LinkEnd } from '../../../modules/rapi/link';
import { SimStation } from '../../../sim/station';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage, request, run, settle } from './fixtures';

function text(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** `lose` decides, frame by frame, whether the wire drops a frame towards the controller (`in`) or back (`out`). */
function lossyStation(lose: (direction: 'in' | 'out', frame: string) => boolean) {
  const clock = new VirtualClock();
  const [gw, ctl] = LinkEnd.pair(clock);
  const station = new SimStation({ clock, output: ctl });
  const sent: { at: number; frame: string }[] = [];
  ctl.onReceive((b) => {
    const frame = text(b);
    if (frame.startsWith('$SC')) sent.push({ at: clock.now(), frame });
    if (!lose('in', frame)) station.receive(b);
  });
  const gateway = new Gateway({ clock, timers: clock, storage: new MemoryStorage(), link: gw, info: { id: 'a1b2c3d4e5f6', version: '5.1.0' } });
  gw.onReceive((b) => {
    if (!lose('out', text(b))) gateway.receive(b);
  });
  const post = (path: string, doc: unknown) => settle(clock, gateway.http(request('POST', path, { body: JSON.stringify(doc) })));
  station.start();
  gateway.start();
  return { clock, station, gateway, post, sent };
}

/** Runs the clock until `done`, promise reactions included; throws after `limit` virtual ms. */
async function until(clock: VirtualClock, done: () => boolean, limit: number): Promise<void> {
  for (let t = 0; !done(); t++) {
    if (t >= limit) throw new Error(`condition not met within ${limit} virtual ms`);
    await run(clock, 1);
  }
}

describe('claims: writes confirmed against the controller and retried', () => {
  it('a $SC the wire loses twice is sent again after 1 s and 2 s until the pilot is the claim, then no more', async () => {
    let losses = 2;
    const g = lossyStation((direction, frame) => direction === 'in' && frame.startsWith('$SC') && losses-- > 0);
    await run(g.clock, 3000);
    expect(g.station.controller.pilotAmps).toBe(32);
    const res = await g.post('/override', { charge_current: 9 });
    expect(res.status).toBe(201);
    // the first write timed out (500 ms) and the controller never saw it
    expect(g.station.controller.pilotAmps).toBe(32);
    expect(g.sent.length).toBe(1);
    await until(g.clock, () => g.station.controller.pilotAmps === 9, 20000);
    expect(g.sent.length).toBe(3);
    // back-off: ≥ 1 s after the first loss's timeout, then ≥ 2 s after the second's
    expect(g.sent[1].at - g.sent[0].at).toBeGreaterThanOrEqual(1500);
    expect(g.sent[2].at - g.sent[1].at).toBeGreaterThanOrEqual(2500);
    expect(g.sent[2].at - g.sent[0].at).toBeLessThan(6000);
    await run(g.clock, 60000);
    expect(g.station.controller.pilotAmps).toBe(9);
    expect(g.sent.length).toBe(3);
    g.gateway.stop();
  });

  it('a $SC whose OK the wire loses is confirmed by the re-read and not sent again', async () => {
    let loseReply = false;
    const g = lossyStation((direction, frame) => {
      if (direction === 'in' && frame.startsWith('$SC')) loseReply = true;
      else if (direction === 'out' && loseReply && (frame.startsWith('$OK') || frame.startsWith('$NK'))) {
        loseReply = false;
        return true;
      }
      return false;
    });
    await run(g.clock, 3000);
    await g.post('/override', { charge_current: 10 });
    expect(g.station.controller.pilotAmps).toBe(10);
    await run(g.clock, 60000);
    expect(g.sent.length).toBe(1);
    expect(g.station.controller.pilotAmps).toBe(10);
    g.gateway.stop();
  });

  it('a $GS reply and the $AT after it read in one chunk: the older reply does not undo the $AT, and the next claim is applied', async () => {
    // The UART driver hands over whatever bytes have arrived: under load the
    // reply to the $GS after a $FE ("00": the controller starting up) and the
    // $AT that follows it ("01") come in one read.
    const clock = new VirtualClock();
    const [gw, ctl] = LinkEnd.pair(clock);
    const station = new SimStation({ clock, output: ctl });
    ctl.onReceive((b) => station.receive(b));
    const gateway = new Gateway({ clock, timers: clock, storage: new MemoryStorage(), link: gw, info: { id: 'a1b2c3d4e5f6', version: '5.1.0' } });
    let held: Uint8Array | undefined;
    let armed = false;
    let coalesced = 0;
    gw.onReceive((b) => {
      const frame = text(b);
      if (armed && held === undefined && /^\$OK 00 /.test(frame)) {
        armed = false;
        held = b;
        return;
      }
      if (held !== undefined) {
        const both = new Uint8Array(held.length + b.length);
        both.set(held);
        both.set(b, held.length);
        held = undefined;
        coalesced++;
        gateway.receive(both);
        return;
      }
      gateway.receive(b);
    });
    const http = (method: string, path: string, doc?: unknown) => settle(clock, gateway.http(request(method, path, doc === undefined ? {} : { body: JSON.stringify(doc) })));
    station.start();
    gateway.start();
    await run(clock, 3000);
    await http('POST', '/override', { state: 'disabled' });
    await run(clock, 500);
    expect(station.controller.state).toBe(254);
    armed = true;
    await http('DELETE', '/override');
    await run(clock, 500);
    expect(coalesced).toBe(1);
    expect(station.controller.state).toBe(1);
    expect(gateway.monitor.snapshot.state).toBe(1);
    await http('POST', '/override', { charge_current: 11 });
    await until(clock, () => station.controller.pilotAmps === 11, 5000);
    gateway.stop();
  });
});

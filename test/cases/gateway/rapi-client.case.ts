import { describe, it, expect } from '../harness';
import { RapiClient, isReply, type RapiClientOptions, type RapiResult } from '../../../modules/gateway/rapi-client';
import { VirtualClock } from '../../../sim/clock';
import { ScriptedPeer, settle, run, flush, type Script } from './fixtures';

function rig(script: Script, options: Partial<RapiClientOptions> = {}, latency = 2) {
  const clock = new VirtualClock();
  const peer = new ScriptedPeer(clock, script, latency);
  const asyncs: string[] = [];
  const client = new RapiClient({ clock, timers: clock, link: peer, onAsync: (_t, _p, raw) => asyncs.push(raw), ...options });
  peer.deliver = (s) => client.receive(s);
  return { clock, peer, client, asyncs };
}

// Replies below are real device replies and computed vectors from the reference
// (reference/openevse.md §2.21), written out literally.
const OK = '$OK^20';

describe('RAPI client', () => {
  it('sends every command with the XOR checksum of the spec ($GS^30, $SC 24^12)', async () => {
    const { clock, peer, client } = rig(() => OK);
    await settle(clock, client.send('GS'));
    await settle(clock, client.send('SC', [24]));
    expect(peer.received).toEqual(['$GS^30', '$SC 24^12']);
  });

  it('sends a queued command as encoded when it was queued, upper-cased, and with a sequence id when ids came on meanwhile', async () => {
    // Off: the bytes encoded when queued are what goes out, the word upper-cased.
    const off = rig(() => OK, { sequenceIds: false });
    await settle(off.clock, off.client.send('gs'));
    await settle(off.clock, off.client.send('GS'));
    expect(off.peer.received).toEqual(['$GS^30', '$GS^30']);
    // Auto: the first probe is not echoed (ids off); commands queued then are encoded without one; a controller boot
    // makes the client probe again, this time the controller echoes, and what was queued goes out with ids.
    let echo = false;
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
    const { clock, peer, client } = rig((f) => (f.seq !== undefined && echo ? `$OK 8.2.3 5.2.1 :${hex(f.seq)}` : '$OK 8.2.3 5.2.1'), { sequenceIds: 'auto', acceptUnchecked: true });
    await settle(clock, client.send('GV'));
    expect(client.sequenceIds).toBe(false);
    echo = true;
    const queued = [client.send('GE'), client.send('GV'), client.send('gs')];
    peer.push('$AB 00 8.2.3^1E');
    for (const p of queued) expect(isReply(await settle(clock, p))).toBe(true);
    expect(client.sequenceIds).toBe(true);
    expect(peer.received.map((t) => t.split('^')[0])).toEqual(['$GV :01', '$GE', '$GV :02', '$GS :03']);
  });

  it('keeps one command in flight: the second is written only after the first reply', async () => {
    const { clock, peer, client } = rig(() => OK, {}, 50);
    const a = client.send('GS');
    const b = client.send('GE');
    await run(clock, 10);
    expect(peer.received).toEqual(['$GS^30']);
    expect(client.queued).toBe(1);
    await settle(clock, a);
    await flush();
    expect(peer.received).toEqual(['$GS^30', '$GE^26']);
    await settle(clock, b);
  });

  it('returns the reply parameters and the raw frame', async () => {
    const { clock, client } = rig(() => '$OK 8.2.3 5.2.1^2F');
    const r = await settle(clock, client.send('GV'));
    expect(r).toEqual({ ok: true, params: ['8.2.3', '5.2.1'], raw: '$OK 8.2.3 5.2.1^2F', text: '$OK 8.2.3 5.2.1^2F' });
  });

  it('reports $NK as a reply with ok false', async () => {
    const { clock, client } = rig(() => '$NK^21');
    const r = await settle(clock, client.send('SC', [99]));
    expect(isReply(r) && r.ok).toBe(false);
  });

  it('times out after 500 ms by default, and the timeout is settable', async () => {
    for (const [timeout, expected] of [[undefined, 500], [200, 200]] as const) {
      const { clock, client } = rig(() => undefined, timeout === undefined ? {} : { timeout });
      const start = clock.now();
      const r = await settle(clock, client.send('GS'));
      expect(r).toEqual({ error: 'RAPI_RESPONSE_TIMEOUT' });
      expect(clock.now() - start).toBe(expected);
    }
  });

  it('never takes an async $AT for the reply to the command in flight', async () => {
    const { clock, client, asyncs } = rig(() => ['$AT 03 03 32 0140^35', '$OK 0 0 0^30']);
    const r = await settle(clock, client.send('GF'));
    expect(r).toEqual({ ok: true, params: ['0', '0', '0'], raw: '$OK 0 0 0^30', text: '$OK 0 0 0^30' });
    expect(asyncs).toEqual(['$AT 03 03 32 0140^35']);
  });

  it('an $AT alone leaves the command waiting until its timeout', async () => {
    const { clock, client, asyncs } = rig(() => '$AT 03 03 32 0140^35');
    expect(await settle(clock, client.send('GS'))).toEqual({ error: 'RAPI_RESPONSE_TIMEOUT' });
    expect(asyncs).toEqual(['$AT 03 03 32 0140^35']);
  });

  it('verifies the reply checksum: a corrupted reply is dropped, not delivered', async () => {
    const { clock, client } = rig(() => '$OK 0 226594^1F'); // real reply is ^1E
    const r = await settle(clock, client.send('GU'));
    expect(r).toEqual({ error: 'RAPI_RESPONSE_TIMEOUT' });
    expect(client.success).toBe(0);
  });

  it('rejects replies that carry no checksum (stock controllers always send one)', async () => {
    const { clock, client } = rig(() => '$OK');
    expect(await settle(clock, client.send('FE'))).toEqual({ error: 'RAPI_RESPONSE_TIMEOUT' });
  });

  it('counts comm_sent and comm_success and tracks rapi_connected', async () => {
    let silent = false;
    const { clock, client } = rig(() => (silent ? undefined : OK));
    expect(client.connected).toBe(false);
    await settle(clock, client.send('FE'));
    await settle(clock, client.send('FE'));
    expect([client.sent, client.success, client.connected]).toEqual([2, 2, true]);
    silent = true;
    await settle(clock, client.send('FE'));
    expect([client.sent, client.success, client.connected]).toEqual([3, 2, false]);
    silent = false;
    await settle(clock, client.send('FE'));
    expect(client.connected).toBe(true);
  });

  it('bounds the queue and says so', async () => {
    const { clock, client } = rig(() => OK, { queueLimit: 2 }, 100);
    const all: Promise<RapiResult>[] = [client.send('GS'), client.send('GS'), client.send('GS'), client.send('GS')];
    // one in flight + two queued; the fourth is refused
    expect(await settle(clock, all[3])).toEqual({ error: 'RAPI_RESPONSE_QUEUE_FULL' });
    for (const p of all.slice(0, 3)) expect(isReply(await settle(clock, p))).toBe(true);
  });

  it('serves user commands before queued polls', async () => {
    const { clock, peer, client } = rig(() => OK, {}, 10);
    const first = client.send('GS', [], 'poll');
    const polls = [client.send('GP', [], 'poll'), client.send('GU', [], 'poll')];
    const user = client.send('SC', [16]);
    await settle(clock, Promise.all([first, user, ...polls]));
    expect(peer.received).toEqual(['$GS^30', '$SC 16^13', '$GP^33', '$GU^36']);
  });

  it('drops a late reply that arrives when no command is in flight', async () => {
    const clock = new VirtualClock();
    const peer = new ScriptedPeer(clock, () => '$OK 1^31', 700);
    const client = new RapiClient({ clock, timers: clock, link: peer });
    peer.deliver = (s) => client.receive(s);
    expect(await settle(clock, client.send('G0'))).toEqual({ error: 'RAPI_RESPONSE_TIMEOUT' });
    await run(clock, 300);
    expect(client.success).toBe(0);
  });

  it('with sequence ids, never gives a late reply to the next command', async () => {
    let n = 0;
    const clock = new VirtualClock();
    // the first command is answered after 700 ms (too late), the second never
    const peer = new ScriptedPeer(clock, (f) => (n++ === 0 ? `$OK 1 :${f.seq!.toString(16).padStart(2, '0')}` : undefined), 700);
    const client = new RapiClient({ clock, timers: clock, link: peer, sequenceIds: true, acceptUnchecked: true });
    peer.deliver = (s) => client.receive(s);
    expect(await settle(clock, client.send('G0'))).toEqual({ error: 'RAPI_RESPONSE_TIMEOUT' });
    expect(await settle(clock, client.send('G0'))).toEqual({ error: 'RAPI_RESPONSE_TIMEOUT' });
    expect(client.success).toBe(0);
  });

  it('after a timeout, holds the next command for the guard time and drops the late reply that comes meanwhile', async () => {
    const setup = (guard?: number) => {
      const clock = new VirtualClock();
      const written: number[] = [];
      // the first command is answered 700 ms later (after its 500 ms timeout), the second 300 ms later
      const replies = ['$OK 1^31', '$OK 2^32'];
      const delays = [700, 300];
      const client: RapiClient = new RapiClient({
        clock,
        timers: clock,
        guard,
        link: {
          write: () => {
            const k = written.length;
            written.push(clock.now());
            clock.set(() => client.receive(replies[k] + '\r'), delays[k]);
          },
        },
      });
      return { clock, client, written };
    };
    // default guard: half the timeout
    let { clock, client, written } = setup();
    expect(await settle(clock, client.send('G0'))).toEqual({ error: 'RAPI_RESPONSE_TIMEOUT' });
    const r = await settle(clock, client.send('G0'));
    expect(isReply(r) && r.raw).toBe('$OK 2^32');
    expect(written[1] - written[0]).toBeGreaterThanOrEqual(750);
    // without the guard the late reply would have passed for the second command's
    ({ clock, client, written } = setup(0));
    await settle(clock, client.send('G0'));
    const wrong = await settle(clock, client.send('G0'));
    expect(isReply(wrong) && wrong.raw).toBe('$OK 1^31');
  });

  it('"auto" sequence ids: probes with $GV :01, then tags every command when the controller echoes', async () => {
    const { clock, peer, client } = rig((f) => (f.seq === undefined ? '$OK' : `$OK 8.2.3 5.2.1 :${f.seq.toString(16).toUpperCase().padStart(2, '0')}`), { sequenceIds: 'auto', acceptUnchecked: true });
    // a command before the probe goes out bare
    await settle(clock, client.send('GS'));
    expect(client.sequenceIds).toBe(false);
    const gv = await settle(clock, client.send('GV'));
    expect(client.sequenceIds).toBe(true);
    // what /r shows: the reply without the id
    expect(isReply(gv) && gv.text).toBe('$OK 8.2.3 5.2.1^2F');
    await settle(clock, client.send('GE'));
    expect(peer.received.map((t) => t.split('^')[0])).toEqual(['$GS', '$GV :01', '$GE :02']);
    // a controller boot makes it ask again
    peer.push('$AB 00 8.2.3^1E');
    await settle(clock, client.send('GC'));
    expect(peer.received[3].split('^')[0]).toBe('$GC');
  });

  it('"auto" sequence ids: a controller that does not echo them gets none, and nothing fails', async () => {
    const { clock, peer, client } = rig(() => '$OK 2.0.1 1.0.3', { sequenceIds: 'auto', acceptUnchecked: true });
    const gv = await settle(clock, client.send('GV'));
    expect(isReply(gv) && gv.ok).toBe(true);
    expect(client.sequenceIds).toBe(false);
    expect(isReply(await settle(clock, client.send('SC', [16])))).toBe(true);
    expect(peer.received.map((t) => t.split('^')[0])).toEqual(['$GV :01', '$SC 16']);
  });

  it('a reply carrying a sequence id never answers a command sent without one', async () => {
    const { clock, client } = rig(() => ['$OK :05', '$OK 7'], { acceptUnchecked: true });
    const r = await settle(clock, client.send('GS'));
    expect(isReply(r) && r.raw).toBe('$OK 7');
  });

  it('with sequence ids, tags commands 01…FF and ignores replies for another id', async () => {
    const seen: number[] = [];
    const { clock, client } = rig(
      (frame) => {
        seen.push(frame.seq ?? 0);
        // a stale reply for another id first, then the right one
        return ['$OK :7F^' + 'ZZ', `$OK 03 125 03 0140 :${frame.seq!.toString(16).toUpperCase().padStart(2, '0')}`];
      },
      { sequenceIds: true, acceptUnchecked: true },
    );
    for (let i = 0; i < 257; i++) {
      const r = await settle(clock, client.send('GS'));
      if (!isReply(r)) throw new Error(`command ${i} failed: ${JSON.stringify(r)}`);
    }
    expect(seen.slice(0, 2)).toEqual([1, 2]);
    expect(seen[254]).toBe(255);
    expect(seen[255]).toBe(1);
    expect(seen).not.toContain(0);
  });

  it('sends the $GS :2A^59 vector when sequence id 2A is due', async () => {
    const { clock, peer, client } = rig((f) => `$OK 03 125 03 0140 :${f.seq!.toString(16).toUpperCase().padStart(2, '0')}`, {
      sequenceIds: true,
      acceptUnchecked: true,
    });
    for (let i = 1; i <= 0x2a; i++) await settle(clock, client.send('GS'));
    expect(peer.received[0x29]).toBe('$GS :2A^59');
  });

  it('takes typed commands: "$SC 13", "GS", a valid checksum, and answers a wrong one $NK as the controller would', async () => {
    const { clock, peer, client } = rig(() => OK);
    await settle(clock, client.sendText('$SC 13'));
    await settle(clock, client.sendText('GS'));
    await settle(clock, client.sendText('$SC 24^12'));
    expect(peer.received.map((t) => t.split('^')[0])).toEqual(['$SC 13', '$GS', '$SC 24']);
    // Issue 14, 11: a wrong checksum gets the controller's $NK (and never reaches the link), not an HTTP error.
    expect(await settle(clock, client.sendText('$SC 24^13'))).toEqual({ ok: false, params: [], raw: '$NK^21', text: '$NK^21' });
    expect(peer.received.length).toBe(3);
    expect(await settle(clock, client.sendText('$'))).toEqual({ error: 'RAPI_RESPONSE_INVALID_COMMAND' });
  });

  it('refuses a command longer than the limit instead of truncating it', async () => {
    const { clock, client } = rig(() => OK, { maxCommandLength: 20 });
    expect(await settle(clock, client.send('FP', [0, 0, 'HelloWorldHello']))).toEqual({ error: 'RAPI_RESPONSE_CMD_TOO_LONG' });
    expect(client.sent).toBe(0);
  });
});

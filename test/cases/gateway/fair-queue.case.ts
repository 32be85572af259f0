// Issue 14, 7 and deliverable 3: the RAPI link is shared fairly. Each source
// (monitor polls, HTTP, MQTT, claims, config, OCPP) has its own queue and a
// share; a flood on one source cannot starve another; a full queue is a 503
// with Retry-After on HTTP.
import { describe, it, expect } from '../harness';
import { RapiScheduler, SOURCE_RULES } from '../../../modules/gateway/rapi-scheduler';
import { bodyJson, flush, run } from './fixtures';
import { standalone } from './hardening-fixture';

describe('RAPI scheduler', () => {
  it('serves busy sources in turn, each up to its share per round', () => {
    const s = new RapiScheduler<string>();
    for (let i = 0; i < 10; i++) s.push('mqtt', `m${i}`);
    for (let i = 0; i < 3; i++) s.push('http', `h${i}`);
    s.push('poll', 'p0');
    const order: string[] = [];
    for (let x = s.next(); x !== undefined; x = s.next()) order.push(x);
    expect(order.length).toBe(14);
    // http (share 2) and poll (share 1) are all served within the first two rounds, not after the ten MQTT ones
    const lastHttp = order.indexOf('h2');
    const poll = order.indexOf('p0');
    expect(lastHttp).toBeLessThan(7);
    expect(poll).toBeLessThan(5);
  });

  it('a full queue refuses only its own source', () => {
    const s = new RapiScheduler<number>();
    for (let i = 0; i < SOURCE_RULES.mqtt.limit; i++) expect(s.push('mqtt', i)).toBe(true);
    expect(s.push('mqtt', 99)).toBe(false);
    expect(s.push('http', 1)).toBe(true);
    expect(s.queued('mqtt')).toBe(10);
    expect(s.size).toBe(11);
  });

  it('never waits longer than one round behind other sources, whatever arrives', () => {
    // random arrivals on four sources; the http item's wait, in items served, is bounded by the other shares
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const s = new RapiScheduler<{ src: string; at: number }>();
    const others = ['mqtt', 'poll', 'claims', 'ocpp'];
    let served = 0;
    let worst = 0;
    for (let step = 0; step < 5000; step++) {
      for (const src of others) if (rnd() < 0.9) s.push(src, { src, at: served });
      if (s.queued('http') === 0 && rnd() < 0.2) s.push('http', { src: 'http', at: served });
      const x = s.next();
      if (!x) continue;
      served++;
      if (x.src === 'http') worst = Math.max(worst, served - x.at);
    }
    const othersShare = others.reduce((n, o) => n + SOURCE_RULES[o].share, 0);
    expect(worst).toBeLessThanOrEqual(othersShare + SOURCE_RULES.http.share);
  });
});

describe('RAPI fairness through the gateway', () => {
  it('an MQTT flood (1000 messages/s) does not make HTTP /r fail (115200-baud link)', async () => {
    const f = standalone({ baud: 115200 });
    await f.ready();
    const mqtt: Promise<unknown>[] = [];
    const http: Promise<{ status: number; body: unknown }>[] = [];
    // one second: an MQTT message every ms, an HTTP /r every 12 ms (82 calls), as in the report
    for (let ms = 0; ms < 1000; ms++) {
      mqtt.push(f.gateway.rapi('$GS', 'mqtt'));
      if (ms % 12 === 0 && http.length < 82) http.push(f.gateway.http({ method: 'GET', path: '/r', query: { json: '1', rapi: '$GG' }, headers: {}, body: '' }).then((r) => ({ status: r.status, body: bodyJson(r) })));
      f.clock.advance(1);
      await flush(4);
    }
    await run(f.clock, 3000);
    const answers = await Promise.all(http);
    expect(answers.length).toBe(82);
    expect(answers.filter((a) => a.status !== 200).length).toBe(0);
    // the flood was refused on its own queue, not on HTTP's
    const mq = (await Promise.all(mqtt)) as { error?: string }[];
    expect(mq.some((r) => r.error === 'RAPI_RESPONSE_QUEUE_FULL')).toBe(true);
    // and the monitor's polls kept going: the controller's state is still current
    expect((await f.status()).rapi_connected).toBe(1);
  });

  it('a full HTTP queue answers 503 with Retry-After, not 400', async () => {
    const f = standalone();
    await f.ready();
    f.station.stop(); // the controller goes quiet: commands wait for their timeouts
    const calls = [];
    for (let i = 0; i < 12; i++) calls.push(f.gateway.http({ method: 'GET', path: '/r', query: { json: '1', rapi: '$GS' }, headers: {}, body: '' }));
    await flush(20);
    const full = await Promise.race([calls[11], new Promise<undefined>((r) => r(undefined))]);
    await run(f.clock, 10);
    const last = await calls[11];
    expect(full === undefined || full.status === 503).toBe(true);
    expect(last.status).toBe(503);
    expect(last.headers['Retry-After']).toBe('1');
    expect(bodyJson(last).error).toBe('RAPI_RESPONSE_QUEUE_FULL');
    await run(f.clock, 8000);
  });
});

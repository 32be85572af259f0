// /ws over real sockets with the `ws` client, against the simulated station:
// what OpenEVSE's WebSocket sends (web_server.cpp, event_send) and what Home
// Assistant's python-openevse-http and evcc read from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as tcp } from 'node:net';
import WebSocket from 'ws';
import { cleanup, standalone, until, type Rig } from './rig';

let rig: Rig;

type Message = { at: number; doc: Record<string, unknown> };

/** A client that records every message with its arrival time. */
function client(url = rig.wsUrl, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; got: Message[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const got: Message[] = [];
    ws.on('message', (data) => got.push({ at: Date.now(), doc: JSON.parse(data.toString()) }));
    ws.once('open', () => resolve({ ws, got }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  rig = await standalone({ gateway: { wsClients: 40, wsBuffer: 64 * 1024 } });
  await until(() => rig.gateway.monitor.ready && rig.gateway.monitor.snapshot.state === 1);
});

afterAll(async () => {
  await rig.close();
  cleanup(rig.dir);
});

describe('/ws', () => {
  it('sends the full status document on connect', async () => {
    const { ws, got } = await client();
    await until(() => got.length >= 1);
    const first = got[0].doc;
    const status = await (await rig.get('/status')).json();
    // the same document as GET /status, field for field (clock-like fields aside)
    for (const k of ['state', 'status', 'amp', 'pilot', 'vehicle', 'config_version', 'claims_version', 'override_version', 'rapi_connected', 'temp']) {
      expect(first[k], k).toEqual(status[k]);
    }
    expect(Object.keys(first).length).toBe(Object.keys(status).length);
    ws.close();
  });

  it('pushes a state change at once, then amp/voltage/power/pilot every second while charging', async () => {
    const { ws, got } = await client();
    await until(() => got.length >= 1);
    let changedAt = 0;
    rig.station.controller.addListener((e) => {
      if (e === 'change' && rig.station.controller.state === 3 && !changedAt) changedAt = Date.now();
    });
    rig.station.ev.maxCurrent = 16;
    rig.station.ev.plug();
    rig.station.ev.requestCharge(true);
    await until(() => got.some((m) => m.doc.state === 3));
    const stateMsg = got.find((m) => m.doc.state === 3)!;
    expect(changedAt).toBeGreaterThan(0);
    // within a second here; the latency figure is in the benchmark (npm run bench)
    expect(stateMsg.at - changedAt).toBeLessThan(1000);
    const from = got.length;
    const liveOnes = () => got.slice(from).filter((m) => 'amp' in m.doc && 'voltage' in m.doc && 'power' in m.doc && 'pilot' in m.doc);
    await until(() => liveOnes().length >= 3, 20000);
    const live = liveOnes();
    // one a second: three of them span about two seconds (never three in one burst)
    expect(live[2].at - live[0].at).toBeGreaterThan(1500);
    expect(live.some((m) => (m.doc.amp as number) > 10000)).toBe(true);
    rig.station.ev.unplug();
    await until(() => got.some((m) => m.doc.vehicle === 0));
    ws.close();
  });

  it('sends version bumps: an override moves override_version and claims_version', async () => {
    const { ws, got } = await client();
    await until(() => got.length >= 1);
    const v0 = got[0].doc.override_version as number;
    const c0 = got[0].doc.claims_version as number;
    expect((await rig.post('/override', JSON.stringify({ state: 'disabled', auto_release: false }))).status).toBe(201);
    await until(() => got.some((m) => m.doc.override_version === v0 + 1));
    await until(() => got.some((m) => (m.doc.claims_version as number) > c0));
    await until(() => got.some((m) => m.doc.status === 'disabled'));
    expect((await fetch(rig.http.url + '/override', { method: 'DELETE' })).status).toBe(200);
    await until(() => got.some((m) => m.doc.override_version === v0 + 2));
    ws.close();
  });

  it('answers {"ping":1} with {"pong":1}', async () => {
    const { ws, got } = await client();
    await until(() => got.length >= 1);
    ws.send('{"ping":1}');
    await until(() => got.some((m) => m.doc.pong === 1));
    ws.close();
  });

  it('pushes POST /status inputs to every client', async () => {
    const clients = await Promise.all(Array.from({ length: 3 }, () => client()));
    await until(() => clients.every((c) => c.got.length >= 1));
    await rig.post('/status', JSON.stringify({ solar: 4321 }));
    await until(() => clients.every((c) => c.got.some((m) => m.doc.solar === 4321)));
    for (const c of clients) c.ws.close();
  });

  it('serves 40 clients at once; the 41st is refused with 1013 and the others keep going', async () => {
    await until(() => rig.gateway.ws.clients === 0);
    const clients = await Promise.all(Array.from({ length: 40 }, () => client()));
    await until(() => clients.every((c) => c.got.length >= 1), 20000);
    const extra = await client();
    const code = await new Promise<number>((r) => extra.ws.once('close', (c) => r(c)));
    expect(code).toBe(1013);
    await rig.post('/status', JSON.stringify({ grid_ie: -777 }));
    await until(() => clients.every((c) => c.got.some((m) => m.doc.grid_ie === -777)), 20000);
    for (const c of clients) c.ws.close();
    await until(() => rig.gateway.ws.clients === 0);
  });

  it('drops a client that stops reading, and only that one', async () => {
    await until(() => rig.gateway.ws.clients === 0);
    const good = await client();
    // A raw socket that completes the handshake and then reads nothing more.
    const raw = tcp(rig.http.port, '127.0.0.1');
    await new Promise<void>((r) => raw.once('connect', () => r()));
    raw.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await new Promise<void>((r) => raw.once('data', () => r()));
    raw.pause();
    await until(() => rig.gateway.ws.clients === 2);
    const dropped = rig.gateway.ws.dropped;
    const big = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 800 && rig.gateway.ws.dropped === dropped; i++) {
      rig.gateway.telemetry.emit({ note: `${i}:${big}` });
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(rig.gateway.ws.dropped).toBe(dropped + 1);
    await until(() => rig.gateway.ws.clients === 1);
    // the good client got every message up to now, in order
    await until(() => good.got.some((m) => typeof m.doc.note === 'string' && (m.doc.note as string).startsWith(`${rig.gateway.telemetry.events - 1}`)) || good.got.length > 10);
    const notes = good.got.filter((m) => typeof m.doc.note === 'string').map((m) => Number((m.doc.note as string).split(':')[0]));
    expect(notes.length).toBeGreaterThan(10);
    notes.forEach((n, i) => expect(n).toBe(i));
    raw.destroy();
    good.ws.close();
  });

  it('asks for the credentials HTTP asks for, at the handshake', async () => {
    expect((await rig.post('/config', JSON.stringify({ www_username: 'admin', www_password: 'secret-ws' }))).status).toBe(200);
    try {
      await expect(client()).rejects.toThrow('HTTP 401');
      await expect(client(rig.wsUrl, { Authorization: 'Basic ' + Buffer.from('admin:wrong').toString('base64') })).rejects.toThrow('HTTP 401');
      const ok = await client(rig.wsUrl, { Authorization: 'Basic ' + Buffer.from('admin:secret-ws').toString('base64') });
      await until(() => ok.got.length >= 1);
      expect(ok.got[0].doc.state).toBeDefined();
      ok.ws.close();
    } finally {
      await rig.post('/config', JSON.stringify({ www_password: '' }), { headers: { Authorization: 'Basic ' + Buffer.from('admin:secret-ws').toString('base64') } });
    }
    await expect(client(rig.wsUrl.replace('/ws', '/nows'))).rejects.toThrow('HTTP 404');
  });
});

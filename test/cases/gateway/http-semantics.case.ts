// Issue 14, 2, 10, 11: /restart that never leaves the gateway dead, gzip only
// to clients that ask for it, and /r answering as the real gateway and the
// controller do (a client's own sequence id echoed, $NK for a bad checksum).
import { describe, it, expect } from '../harness';
import { acceptsGzip } from '../../../modules/gateway/content-coding';
import { webPage } from '../../../modules/gateway/web-page';
import { bodyJson, run } from './fixtures';
import { standalone } from './hardening-fixture';
import { decode } from '../../../modules/rapi/frame';

describe('/restart', () => {
  it('refuses bodies that are not an object with a known device: 5, [], null, "evse" get 400', async () => {
    let restarts = 0;
    const f = standalone({ system: { restart: () => restarts++ } });
    await f.ready();
    for (const body of ['5', '[]', 'null', '"evse"', '{"device":"toaster"}']) {
      const r = await f.http('POST', '/restart', { body });
      expect(r.status).toBe(400);
    }
    await run(f.clock, 1000);
    expect(restarts).toBe(0);
    expect((await f.status()).rapi_connected).toBe(1);
  });

  it('on a host that cannot restart, the gateway says so (500) and keeps working', async () => {
    const f = standalone();
    await f.ready();
    const r = await f.http('POST', '/restart', { body: '{"device":"gateway"}' });
    expect(r.status).toBe(500);
    await run(f.clock, 2000);
    const s = await f.status();
    expect(s.rapi_connected).toBe(1);
    expect((await f.http('GET', '/r', { query: { json: '1', rapi: '$GS' } })).status).toBe(200);
  });

  it('on a host that can, the gateway stops cleanly and then asks the host; a stopped client no longer claims the link is up', async () => {
    let restarts = 0;
    const f = standalone({ system: { restart: () => restarts++ } });
    await f.ready();
    const r = await f.http('POST', '/restart', { body: '{"device":"gateway"}' });
    expect(r.status).toBe(200);
    await run(f.clock, 1000);
    expect(restarts).toBe(1);
    expect(f.gateway.client.connected).toBe(false);
    expect((await f.status()).rapi_connected).toBe(0);
  });
});

describe('gzip negotiation', () => {
  it('Accept-Encoding rules', () => {
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('*;q=0, gzip;q=0')).toBe(false);
  });

  it('GET / without Accept-Encoding: gzip gets a readable 406, never compressed bytes; a browser gets the page', async () => {
    const f = standalone({ system: { file: webPage } });
    const plain = await f.http('GET', '/');
    expect(plain.status).toBe(406);
    expect(plain.headers['Content-Encoding']).toBe(undefined);
    expect(typeof plain.body).toBe('string');
    expect(plain.body as string).toContain('Accept-Encoding: gzip');
    const browser = await f.http('GET', '/', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(browser.status).toBe(200);
    expect(browser.headers['Content-Encoding']).toBe('gzip');
    expect(browser.headers.Vary).toBe('Accept-Encoding');
    const bytes = browser.body as Uint8Array;
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
  });
});

describe('/r as the real gateway answers it', () => {
  it('echoes the client\'s own sequence id, with a valid checksum', async () => {
    const f = standalone();
    await f.ready();
    const r = bodyJson(await f.http('GET', '/r', { query: { json: '1', rapi: '$GS :2A' } }));
    expect(r.ret).toMatch(/^\$OK .* :2A\^[0-9A-F]{2}$/);
    const d = decode(r.ret);
    expect(d.ok && d.frame.seq).toBe(0x2a);
  });

  it('a command with a bad checksum gets the controller\'s $NK (HTTP 200), and nothing goes on the link', async () => {
    const f = standalone();
    await f.ready();
    const sent = f.received.length;
    const r = await f.http('GET', '/r', { query: { json: '1', rapi: '$FD^31' } });
    expect(r.status).toBe(200);
    expect(bodyJson(r)).toEqual({ cmd: '$FD^31', ret: '$NK^21' });
    await run(f.clock, 50);
    expect(f.commands().slice(sent)).not.toContain('$FD');
  });

  it('$SY 165 with no missed heartbeat answers $OK, as OpenEVSE', async () => {
    const f = standalone();
    await f.ready();
    const r = bodyJson(await f.http('GET', '/r', { query: { json: '1', rapi: '$SY 165' } }));
    expect(r.ret).toMatch(/^\$OK 5 6 0\^/);
  });
});

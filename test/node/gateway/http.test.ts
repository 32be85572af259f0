// The HTTP API over a real socket, with a real HTTP client (fetch), against
// the simulated station on the other end of the RAPI link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromAddress } from './from-address';
import { cleanup, standalone, until, type Rig } from './rig';

let rig: Rig;

beforeAll(async () => {
  rig = await standalone();
  await until(() => rig.gateway.monitor.ready && rig.gateway.monitor.snapshot.state === 1);
});

afterAll(async () => {
  await rig.close();
  cleanup(rig.dir);
});

const basic = (user: string, pass: string) => ({ Authorization: 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64') });

describe('HTTP API over a socket', () => {
  it('GET /status: JSON with the OpenEVSE fields and units, and the CORS headers of seed 001', async () => {
    const res = await rig.get('/status');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('*');
    const s = await res.json();
    for (const k of ['mode', 'wifi_client_connected', 'eth_connected', 'net_connected', 'ipaddress', 'mqtt_connected', 'free_heap', 'largest_free_block', 'min_free_heap', 'comm_sent', 'comm_success', 'rapi_connected', 'amp', 'amp1', 'amp2', 'amp3', 'voltage', 'v1', 'v2', 'v3', 'pilot', 'wh', 'state', 'temp1', 'temp4', 'freeram', 'srssi', 'elapsed', 'wattsec', 'watthour', 'gfcicount', 'nogndcount', 'stuckcount', 'charge_rate', 'ota_update', 'time', 'offset', 'crash_seq', 'boot_count', 'reset_reason', 'reset_reason_str', 'prev_uptime_ms', 'prev_free_heap', 'prev_largest_free_block', 'prev_min_free_heap', 'prev_unix_time', 'crash_recorded_unix_time', 'status', 'session_energy', 'total_energy', 'vehicle', 'max_current', 'power']) {
      expect(s, `field ${k}`).toHaveProperty(k);
    }
    expect(s.rapi_connected).toBe(1);
    expect(s.state).toBe(1);
    // the station's ambient thermometer starts at 25.0 °C: tenths of °C
    expect(s.temp2).toBe(250);
    expect(s.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // the default zone is London: GMT or BST depending on the date
    expect(['+0000', '+0100']).toContain(s.offset);
    expect(s.local_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/);
    expect(s.local_time.endsWith(s.offset)).toBe(true);
  });

  it('OPTIONS preflight answers 204 with the CORS headers, except to another site asking to change state', async () => {
    const own = await fetch(rig.http.url + '/config', { method: 'OPTIONS', headers: { Origin: rig.http.url, 'Access-Control-Request-Method': 'POST' } });
    expect(own.status).toBe(204);
    expect(own.headers.get('access-control-allow-methods')).toBe('*');
    expect((await fetch(rig.http.url + '/config', { method: 'OPTIONS' })).status).toBe(204);
    const other = await fetch(rig.http.url + '/config', { method: 'OPTIONS', headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('POST /config with bad JSON: 400 {"msg":"Could not parse JSON"}', async () => {
    for (const body of ['{"mqtt_enabled": tru', '', '[1,2]', '42']) {
      const res = await rig.post('/config', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ msg: 'Could not parse JSON' });
    }
  });

  it('POST /config with a wrong type or range: 400, nothing changed', async () => {
    const before = (await (await rig.get('/config')).json()).config_version;
    for (const body of ['{"mqtt_port":"1883","mqtt_user":"x"}', '{"mqtt_port":99999}', '{"mqtt_enabled":"yes"}', '{"max_current_soft":200}', '{"service":3}', '{"diode_check":1}']) {
      const res = await rig.post('/config', body);
      expect(res.status, body).toBe(400);
      expect(typeof (await res.json()).msg).toBe('string');
    }
    const after = await (await rig.get('/config')).json();
    expect(after.config_version).toBe(before);
    expect(after.mqtt_user).toBe('');
  });

  it('refuses a huge body with 413 and keeps serving', async () => {
    const res = await rig.post('/config', JSON.stringify({ mqtt_server: 'x'.repeat(1_000_000) }));
    expect(res.status).toBe(413);
    expect((await rig.get('/status')).status).toBe(200);
  });

  it('POST /config partial update: {"msg":"done"}, and secrets come back masked', async () => {
    const res = await rig.post('/config', JSON.stringify({ mqtt_user: 'mqtt-user', mqtt_pass: 'mqtt-pass', emoncms_apikey: 'k3y' }));
    expect(res.status).toBe(200);
    expect((await res.json()).msg).toBe('done');
    const text = await (await rig.get('/config')).text();
    const cfg = JSON.parse(text);
    expect(cfg.mqtt_user).toBe('mqtt-user');
    expect(cfg.mqtt_pass).toBe('__DUMMY_PASSWORD__');
    expect(cfg.emoncms_apikey).toBe('__DUMMY_PASSWORD__');
    expect(text).not.toContain('mqtt-pass');
    expect(text).not.toContain('k3y');
    expect(rig.gateway.debug.text()).not.toContain('mqtt-pass');
  });

  it('GET /r and /rapi with json=1: {"cmd","ret"} from the controller', async () => {
    for (const path of ['/r', '/rapi']) {
      const res = await rig.get(`${path}?json=1&rapi=%24GS`);
      expect(res.status).toBe(200);
      const r = await res.json();
      expect(r.cmd).toBe('$GS');
      expect(r.ret).toMatch(/^\$OK 01 \d+ 01 [0-9A-F]{4}\^[0-9A-F]{2}$/);
    }
    // seed 000's example, checksum given
    const sc = await (await rig.get('/r?json&rapi=%24SC+24%5E12')).json();
    expect(sc.ret).toMatch(/^\$OK 24\^/);
  });

  it('POST /r form-encoded, as python-openevse-http sends it', async () => {
    const res = await fetch(rig.http.url + '/r', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'json=1&rapi=%24GE' });
    const r = await res.json();
    expect(r).toEqual({ cmd: '$GE', ret: expect.stringMatching(/^\$OK \d+ [0-9A-F]{4}\^[0-9A-F]{2}$/) });
  });

  it('GET /r without json: an HTML page with a form and the reply', async () => {
    const res = await rig.get('/r?rapi=%24GV');
    expect(res.headers.get('content-type')).toBe('text/html');
    const html = await res.text();
    expect(html).toContain('<form');
    expect(html).toContain('name="rapi"');
    expect(html).toMatch(/&gt;\$OK /);
  });

  it('/crashlog?count=1..10, /debug and /evse consoles', async () => {
    const log = await (await rig.get('/crashlog?count=1')).json();
    expect(log.events).toHaveLength(1);
    expect(log.events[0].reset_reason_str).toBe('poweron');
    expect((await rig.get('/crashlog?count=11')).status).toBe(400);
    expect((await rig.get('/crashlog?count=0')).status).toBe(400);
    const evse = await (await rig.get('/evse')).text();
    // the probe, with a sequence id while the client learns whether the controller echoes them
    expect(evse).toMatch(/>\$GV :[0-9A-F]{2}\^[0-9A-F]{2}\n<\$OK 8\.2\.3 5\.2\.1 :[0-9A-F]{2}\^/);
    expect((await rig.get('/debug')).headers.get('content-type')).toBe('text/plain');
  });

  it('unknown paths are 404 JSON', async () => {
    const res = await rig.get('/nope');
    expect(res.status).toBe(404);
  });

  it('POST to an unknown /energy/<x> is 404 (no such history), to a known one 405', async () => {
    const unknown = await rig.post('/energy/nonsense', '{}');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ msg: 'Not found' });
    expect((await rig.post('/energy/daily', '{}')).status).toBe(405);
    expect((await rig.get('/energy/daily')).status).toBe(200);
  });

  it('basic auth on every path once a password is set; wrong credentials get 401, and 429 when they keep coming', async () => {
    expect((await rig.post('/config', JSON.stringify({ www_username: 'admin', www_password: 'pa55word' }))).status).toBe(200);
    try {
      for (const path of ['/status', '/config', '/r?json=1&rapi=$GS', '/evse', '/debug', '/index.html', '/crashlog']) {
        const none = await rig.get(path);
        expect(none.status, path).toBe(401);
        expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
        expect((await rig.get(path, { headers: basic('admin', 'wrong') })).status, path).toBe(401);
        expect((await rig.get(path, { headers: basic('root', 'pa55word') })).status, path).toBe(401);
        // the right credentials clear the count of wrong ones (see the throttle below)
        expect((await rig.get(path, { headers: basic('admin', 'pa55word') })).status, path).not.toBe(401);
      }
      // ten wrong credentials in a row from one peer: locked out with 429, as OpenEVSE's web_auth.cpp ...
      for (let i = 1; i < 10; i++) expect((await rig.get('/status', { headers: basic('admin', `guess${i}`) })).status).toBe(401);
      const locked = await rig.get('/status', { headers: basic('admin', 'guess10') });
      expect(locked.status).toBe(429);
      expect(await locked.json()).toEqual({ msg: 'locked' });
      // ... and, unlike OpenEVSE, the right password from that peer is not let through while it is locked (issue 14, 6)
      const right = await rig.get('/status', { headers: basic('admin', 'pa55word') });
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
      // another peer (Home Assistant on its own address) still gets in with the right password
      const other = await fromAddress('127.0.0.2', rig.http.url + '/status', { headers: basic('admin', 'pa55word') });
      expect(other.status).toBe(200);
      expect((await fromAddress('127.0.0.2', rig.http.url + '/status', { headers: { Authorization: 'Basic !!!' } })).status).toBe(401);
      // preflight still works without credentials
      expect((await fetch(rig.http.url + '/status', { method: 'OPTIONS' })).status).toBe(204);
      const cfg = (await fromAddress('127.0.0.2', rig.http.url + '/config', { headers: basic('admin', 'pa55word') })).text;
      expect(cfg).not.toContain('pa55word');
    } finally {
      await fromAddress('127.0.0.2', rig.http.url + '/config', { method: 'POST', body: JSON.stringify({ www_password: '' }), headers: { ...basic('admin', 'pa55word'), 'Content-Type': 'application/json' } });
    }
    expect((await rig.get('/status')).status).toBe(200);
  });
});

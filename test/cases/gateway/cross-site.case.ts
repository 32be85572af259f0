// Issue 14, 9: any web page a user visits must not be able to reset or
// restart the charger or send RAPI through the browser. Browsers say where a
// request comes from (Origin, Sec-Fetch-Site, Referer); clients that are not
// browsers (Home Assistant, evcc, curl) send none of these and keep working.
import { describe, it, expect } from '../harness';
import { changesState, crossSiteRefusal } from '../../../modules/gateway/cross-site';
import { SimControlApi, withSimControl } from '../../../sim/control-api';
import { bodyJson, request, run, settle } from './fixtures';
import { standalone } from './hardening-fixture';

const EVIL = { origin: 'http://evil.example', host: '192.168.1.20' };
const IMG = { 'sec-fetch-site': 'cross-site', host: '192.168.1.20' };

describe('cross-site protection', () => {
  it('GET /reset and /restart from another site (an <img> tag) are refused with 403 and change nothing', async () => {
    const f = standalone();
    expect((await f.http('POST', '/config', { body: '{"hostname":"garage"}' })).status).toBe(200);
    for (const path of ['/reset', '/restart', '/apoff']) {
      const r = await f.http('GET', path, { headers: IMG });
      expect(r.status).toBe(403);
    }
    await run(f.clock, 1000);
    expect(f.gateway.config.get('hostname')).toBe('garage');
  });

  it('GET /r?rapi=$FD from another site is refused and the controller never sees it', async () => {
    const f = standalone();
    await f.ready();
    for (const headers of [IMG, EVIL, { referer: 'http://evil.example/page', host: '192.168.1.20' }]) {
      const r = await f.http('GET', '/r', { query: { json: '1', rapi: '$FD' }, headers });
      expect(r.status).toBe(403);
    }
    await run(f.clock, 200);
    expect(f.commands()).not.toContain('$FD');
  });

  it('a POST from another origin is refused; from the charger itself or a configured origin it passes', async () => {
    const f = standalone();
    const body = '{"pause_uses_disabled":true}';
    expect((await f.http('POST', '/config', { body, headers: EVIL })).status).toBe(403);
    expect(f.gateway.config.get('pause_uses_disabled')).toBe(false);
    // the dashboard served by the charger
    expect((await f.http('POST', '/config', { body, headers: { origin: 'http://192.168.1.20', host: '192.168.1.20', 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect((await f.http('POST', '/config', { body: '{"http_allowed_origins":"http://homeassistant.local:8123"}' })).status).toBe(200);
    const ha = { origin: 'http://homeassistant.local:8123', host: '192.168.1.20' };
    expect((await f.http('POST', '/config', { body: '{"pause_uses_disabled":false}', headers: ha })).status).toBe(200);
    expect(f.gateway.config.get('pause_uses_disabled')).toBe(false);
  });

  it('DNS rebinding: a page whose own name points at the charger is same-origin to the browser, but not the charger', async () => {
    const f = standalone();
    const r = await f.http('POST', '/config', { body: '{"pause_uses_disabled":true}', headers: { origin: 'http://evil.example', host: 'evil.example', 'sec-fetch-site': 'same-origin' } });
    expect(r.status).toBe(403);
    const own = await f.http('POST', '/config', { body: '{"pause_uses_disabled":true}', headers: { origin: 'http://openevse-e5f6.local', host: 'openevse-e5f6.local' } });
    expect(own.status).toBe(200);
  });

  it('curl, Home Assistant and evcc (no Origin, no Sec-Fetch-*) are not affected; reads stay open to every page', async () => {
    const f = standalone();
    await f.ready();
    expect((await f.http('GET', '/r', { query: { json: '1', rapi: '$GS' } })).status).toBe(200);
    expect((await f.http('POST', '/override', { body: '{"state":"disabled"}' })).status).toBe(201);
    const read = await f.http('GET', '/status', { headers: EVIL });
    expect(read.status).toBe(200);
    expect(read.headers['Access-Control-Allow-Origin']).toBe('*');
    // a typed URL in the address bar
    expect((await f.http('GET', '/r', { query: { json: '1', rapi: '$GS' }, headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
  });

  it('which requests change state: every method but GET/HEAD/OPTIONS, and the GETs of the table', () => {
    const r = (method: string, path: string, query: Record<string, string> = {}) => changesState(request(method, path, { query }));
    expect(r('GET', '/status')).toBe(false);
    expect(r('GET', '/r')).toBe(false); // the form page
    expect(r('GET', '/r', { rapi: '$GS' })).toBe(true);
    expect(r('GET', '/reset')).toBe(true);
    expect(r('GET', '/restart/')).toBe(true);
    expect(r('POST', '/sim/plug')).toBe(true);
    expect(r('DELETE', '/claims/5')).toBe(true);
    expect(r('HEAD', '/reset')).toBe(false);
    expect(crossSiteRefusal(request('POST', '/config', { headers: { origin: 'null', host: '10.0.0.2' } }), { hostnames: [], allowed: [] })).toContain('refused');
  });

  it('a WebSocket to /ws from another site is refused (WebSockets have no CORS); from the charger\'s own page or a client without Origin it opens', () => {
    const f = standalone();
    const ws = (headers: Record<string, string>) => f.gateway.wsHandshake(request('GET', '/ws', { headers }));
    expect(ws({ origin: 'http://evil.example', host: '192.168.1.20' })?.status).toBe(403);
    expect(ws({ origin: 'http://192.168.1.20', host: '192.168.1.20' })).toBe(undefined);
    expect(ws({ host: '192.168.1.20' })).toBe(undefined);
  });

  it('/sim/* needs the charger credentials once they are set, and follows the cross-site rule', async () => {
    const f = standalone();
    const sim = new SimControlApi(f.station);
    const handler = withSimControl(sim, (req) => f.gateway.http(req), (req) => f.gateway.guard(req));
    const call = (method: string, path: string, headers: Record<string, string> = {}) => settle(f.clock, handler(request(method, path, { headers })));
    expect((await call('POST', '/sim/plug', IMG)).status).toBe(403);
    expect(f.station.ev.plugged).toBe(false);
    expect((await call('POST', '/sim/plug')).status).toBe(200);
    expect((await f.http('POST', '/config', { body: '{"www_password":"pa55word"}' })).status).toBe(200);
    expect((await call('POST', '/sim/unplug')).status).toBe(401);
    expect((await call('GET', '/sim/status')).status).toBe(401);
    expect(f.station.ev.plugged).toBe(true);
    const auth = { authorization: 'Basic b3BlbmV2c2VhZG1pbjpwYTU1d29yZA==' }; // openevseadmin:pa55word
    const ok = await call('POST', '/sim/unplug', auth);
    expect(ok.status).toBe(200);
    expect(bodyJson(ok).ev.plugged).toBe(false);
  });
});

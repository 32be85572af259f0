// Issue 14, 1 through the gateway: the request of the report,
// `GET /r?json=1&rapi=$GS%20%C4%90%C4%A4FD`, and the same over MQTT's path,
// are refused and the controller never sees a `$FD`.
import { describe, it, expect } from '../harness';
import { bodyJson, run } from './fixtures';
import { standalone } from './hardening-fixture';

const SMUGGLED = '$GS \u0110\u0124FD';

describe('no RAPI command smuggling', () => {
  it('GET /r with U+0110 U+0124 "FD" is refused (400) and the charger keeps its state', async () => {
    const f = standalone();
    await f.ready();
    const before = f.station.controller.state;
    const res = await f.http('GET', '/r', { query: { json: '1', rapi: SMUGGLED } });
    expect(res.status).toBe(400);
    expect(bodyJson(res)).toEqual({ cmd: SMUGGLED, error: 'RAPI_RESPONSE_INVALID_COMMAND' });
    await run(f.clock, 200);
    expect(f.commands().some((c) => c.includes('FD'))).toBe(false);
    expect(f.station.controller.state).toBe(before);
  });

  it('the MQTT path (rapi/in/$GS with that payload) is refused the same way', async () => {
    const f = standalone();
    await f.ready();
    const r = await f.gateway.rapi('$GS \u0110\u0124FD', 'mqtt');
    expect(r).toEqual({ cmd: SMUGGLED, error: 'RAPI_RESPONSE_INVALID_COMMAND' });
    const cr = await f.gateway.rapi('$SC 6\u010D$FD', 'mqtt');
    expect('error' in cr && cr.error).toBe('RAPI_RESPONSE_INVALID_COMMAND');
    await run(f.clock, 200);
    expect(f.commands().some((c) => c.includes('FD'))).toBe(false);
  });
});

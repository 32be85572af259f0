// The feature framework: a feature's declarations (route, setting, status
// field, claim) reach the router, the config store, the telemetry stream and
// the arbiter, with the gateway composed of that feature alone.
import { describe, it, expect } from '../harness';
import { matchPath, type FeatureContext } from '../../../modules/gateway/feature';
import { Priority } from '../../../modules/gateway/claims';
import { json } from '../../../modules/gateway/http-answer';
import { Telemetry, type Fragment } from '../../../modules/gateway/telemetry';
import { bodyJson } from './fixtures';
import { standalone } from './standalone';

const CLIENT = 0x00420001;

function counter(ctx: FeatureContext) {
  let n = 0;
  return {
    name: 'counter',
    config: { counter_step: { type: 'integer', min: 1, max: 10, default: 2 } as const },
    claims: [{ client: CLIENT, priority: Priority.Timer }],
    status: [{ fields: () => ({ counter: n }) }],
    routes: [
      {
        path: '/counter/{by}',
        methods: ['POST'],
        handle: (_req: unknown, params: Record<string, string>) => {
          n += Number(params.by) * Number(ctx.config('counter_step'));
          ctx.telemetry.update();
          return json(200, { counter: n });
        },
      },
      { path: '/counter/pause', methods: ['POST'], handle: async () => json(200, { ok: await ctx.claim(CLIENT, { state: 'disabled' }) }) },
      { path: '/counter/rogue', methods: ['POST'], handle: async () => json(200, { ok: await ctx.claim(7, { state: 'disabled' }) }) },
    ],
  };
}

describe('feature framework', () => {
  it('matches {name} segments and nothing else', () => {
    expect(matchPath('/schedule/{id}', '/schedule/12')).toEqual({ id: '12' });
    expect(matchPath('/schedule/{id}', '/schedule')).toBeUndefined();
    expect(matchPath('/schedule/{id}', '/schedule/')).toBeUndefined();
    expect(matchPath('/schedule/{id}', '/schedule/1/2')).toBeUndefined();
    expect(matchPath('/limit', '/limit')).toEqual({});
    expect(matchPath('/limit', '/limits')).toBeUndefined();
  });

  it('a gateway of one feature serves its route, stores its setting, shows its field and sends its events', async () => {
    const g = standalone({ features: [counter] });
    await g.run(2000);
    const events: Fragment[] = [];
    g.gateway.subscribe((f) => events.push(f));
    expect((await g.status()).counter).toBe(0);
    expect(bodyJson(await g.post('/counter/3', '')).counter).toBe(6);
    expect((await g.status()).counter).toBe(6);
    expect(events.some((e) => e.counter === 6)).toBe(true);
    // its setting: default in /config, validated by its schema, saved
    expect(bodyJson(await g.http('GET', '/config')).counter_step).toBe(2);
    expect((await g.post('/config', { counter_step: 11 })).status).toBe(400);
    expect((await g.post('/config', { counter_step: 5 })).status).toBe(200);
    expect(bodyJson(await g.post('/counter/1', '')).counter).toBe(11);
    // the other features are not there
    expect((await g.http('GET', '/override')).status).toBe(404);
    expect((await g.http('GET', '/counter/1')).status).toBe(405);
  });

  it('a claim goes in at the priority the feature declared, and a client it did not declare is refused', async () => {
    const g = standalone({ features: [counter] });
    await g.run(2000);
    expect(bodyJson(await g.post('/counter/pause', '')).ok).toBe(true);
    expect(g.gateway.claims.get(CLIENT)?.priority).toBe(100);
    await g.run(500);
    expect(g.station.controller.state).toBe(254); // sleeping: the claim reached the controller
    expect((await g.post('/counter/rogue', '')).status).toBe(500);
    expect(g.gateway.claims.has(7)).toBe(false);
  });
});

describe('telemetry stream', () => {
  it('sends what moved, what a feature sends on purpose, and never document-only fields', () => {
    const t = new Telemetry();
    let a = 1;
    let clock = 0;
    t.add({ fields: () => ({ a, b: 'x' }) });
    t.add({ events: false, fields: () => ({ uptime: clock }) });
    const got: Fragment[] = [];
    t.subscribe((f) => got.push(f));
    t.update();
    expect(got).toEqual([{ a: 1, b: 'x' }]);
    clock = 5;
    t.update();
    expect(got.length).toBe(1); // nothing moved but the clock
    a = 2;
    t.update();
    expect(got[1]).toEqual({ a: 2 });
    t.update({ a: 2 });
    expect(got[2]).toEqual({ a: 2 });
    expect(t.document()).toEqual({ a: 2, b: 'x', uptime: 5 });
    expect(t.events).toBe(3);
  });

  it('a change made by a listener is sent after the one being sent, in order', () => {
    const t = new Telemetry();
    let a = 0;
    let b = 0;
    t.add({ fields: () => ({ a, b }) });
    const got: Fragment[] = [];
    t.subscribe((f) => {
      got.push(f);
      if (f.a === 1 && b === 0) {
        b = 1;
        t.update();
      }
    });
    t.update();
    a = 1;
    t.update();
    expect(got).toEqual([{ a: 0, b: 0 }, { a: 1 }, { b: 1 }]);
  });
});

// The manual override (OpenEVSE manual.cpp, web_server /override, mqtt.cpp):
// the user's "charge now" / "stop" button as a claim of client 0x00010001 at
// priority 1000. GET shows it ({} when none), POST replaces it (auto_release
// defaults to true: it ends with the session), PATCH toggles, DELETE releases.
// MQTT `<base>/override/set` takes the same JSON, `toggle` or `clear`; the
// retained `<base>/override` carries it (or {"state":"null"}).

import { activeState } from '../charge-target';
import { Client, Priority, parseProperties, propertiesJson } from '../claims';
import type { Feature, FeatureContext } from '../feature';
import { answer, jsonBody, type Answer } from '../http-answer';

export function overrideFeature(ctx: FeatureContext): Feature {
  let version = 0;

  const get = (): Record<string, unknown> => {
    const c = ctx.claimOf(Client.Manual);
    return c ? propertiesJson(c.properties) : {};
  };

  const set = async (doc: unknown): Promise<Answer> => {
    const parsed = parseProperties(doc);
    if (!parsed.ok) return { status: 400, body: { msg: parsed.error } };
    const props = parsed.properties;
    if (props.auto_release === undefined) props.auto_release = true;
    if (!(await ctx.claim(Client.Manual, props))) return { status: 500, body: { msg: 'Failed to claim manual override' } };
    return { status: 201, body: { msg: 'Created' } };
  };

  const toggle = async (): Promise<Answer> => {
    const ok = ctx.claimOf(Client.Manual)
      ? await ctx.release(Client.Manual)
      : await ctx.claim(Client.Manual, { state: activeState(ctx.snapshot()) === 'active' ? 'disabled' : 'active', auto_release: true });
    return ok ? { status: 200, body: { msg: 'Updated' } } : { status: 500, body: { msg: 'Failed to toggle manual override' } };
  };

  const clear = async (): Promise<Answer> => {
    if (!(await ctx.release(Client.Manual))) return { status: 500, body: { msg: 'Failed to release manual override' } };
    return { status: 200, body: { msg: 'Deleted' } };
  };

  return {
    name: 'override',
    claims: [{ client: Client.Manual, priority: Priority.Manual }],
    status: [
      {
        fields: () => ({ manual_override: ctx.claimOf(Client.Manual) ? 1 : 0, override_version: version }),
      },
    ],
    claimsChanged(clients) {
      if (!clients.includes(Client.Manual)) return;
      version++;
      ctx.publishRetained();
    },
    routes: [
      {
        path: '/override',
        methods: ['GET', 'POST', 'PATCH', 'DELETE'],
        async handle(req) {
          if (req.method === 'GET' || req.method === 'HEAD') return answer(200, get());
          if (req.method === 'PATCH') return answer(await toggle());
          if (req.method === 'DELETE') return answer(await clear());
          const doc = jsonBody(req.body);
          if (doc === undefined) return answer(400, { msg: 'Failed to parse JSON' });
          return answer(await set(doc));
        },
      },
    ],
    subscribe: [
      {
        topic: 'override/set',
        async onMessage(payload) {
          const p = payload.trim();
          let r: Answer;
          if (p === 'toggle') r = await toggle();
          else if (p === 'clear') r = await clear();
          else {
            const doc = jsonBody(p);
            if (doc === undefined) return ctx.log('mqtt: override/set: could not parse JSON');
            r = await set(doc);
          }
          if (r.status >= 400) ctx.log(`mqtt: override/set: ${JSON.stringify(r.body)}`);
        },
      },
    ],
    retained: [
      {
        topic: 'override',
        version: () => version,
        payload: () => {
          const o = get();
          return JSON.stringify(Object.keys(o).length ? o : { state: 'null' });
        },
      },
    ],
  };
}

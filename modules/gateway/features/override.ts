// The manual override (OpenEVSE manual.cpp, web_server /override, mqtt.cpp):
// the user's "charge now" / "stop" button as a claim of client 0x00010001 at
// priority 1000. GET shows it ({} when none), POST replaces it (auto_release
// defaults to true: it ends with the session), PATCH toggles, DELETE releases.
// MQTT `<base>/override/set` takes the same JSON, `toggle` or `clear`; the
// retained `<base>/override` carries it (or {"state":"null"}).

import { activeState } from '../charge-target';
import { Client, Priority, parseProperties, propertiesJson } from '../claims';
import type { Feature, FeatureContext } from '../feature';
import type { HttpResponse } from '../../ports';
import { answer, jsonBody, type Answer } from '../http-answer';

function created(ok: boolean): Answer {
  return ok ? { status: 201, body: { msg: 'Created' } } : { status: 500, body: { msg: 'Failed to claim manual override' } };
}

function toggled(ok: boolean): Answer {
  return ok ? { status: 200, body: { msg: 'Updated' } } : { status: 500, body: { msg: 'Failed to toggle manual override' } };
}

function deleted(ok: boolean): Answer {
  return ok ? { status: 200, body: { msg: 'Deleted' } } : { status: 500, body: { msg: 'Failed to release manual override' } };
}

// The HTTP answers in one step from the claim's outcome: one promise less per
// request in flight than `.then(created).then(answer)` (the ESP32 profile's peak).
function createdHttp(ok: boolean): HttpResponse {
  return answer(created(ok));
}

function toggledHttp(ok: boolean): HttpResponse {
  return answer(toggled(ok));
}

function deletedHttp(ok: boolean): HttpResponse {
  return answer(deleted(ok));
}

export function overrideFeature(ctx: FeatureContext): Feature {
  let version = 0;

  const get = (): Record<string, unknown> => {
    const c = ctx.claimOf(Client.Manual);
    return c ? propertiesJson(c.properties) : {};
  };

  // Promises passed on, not async functions: an async function holds a
  // suspended frame and two more promises while the claim is applied
  // (the ESP32 profile's largest transient, docs/moddable.md "Memory").
  /** The claim being made, or the answer that refuses `doc`. */
  const set = (doc: unknown): Answer | Promise<boolean> => {
    const parsed = parseProperties(doc);
    if (!parsed.ok) return { status: 400, body: { msg: parsed.error } };
    const props = parsed.properties;
    if (props.auto_release === undefined) props.auto_release = true;
    return ctx.claim(Client.Manual, props);
  };

  const toggle = (): Promise<boolean> =>
    ctx.claimOf(Client.Manual)
      ? ctx.release(Client.Manual)
      : ctx.claim(Client.Manual, { state: activeState(ctx.snapshot()) === 'active' ? 'disabled' : 'active', auto_release: true });

  const clear = (): Promise<boolean> => ctx.release(Client.Manual);

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
        handle(req) {
          if (req.method === 'GET' || req.method === 'HEAD') return answer(200, get());
          if (req.method === 'PATCH') return toggle().then(toggledHttp);
          if (req.method === 'DELETE') return clear().then(deletedHttp);
          const doc = jsonBody(req.body);
          if (doc === undefined) return answer(400, { msg: 'Failed to parse JSON' });
          const r = set(doc);
          return r instanceof Promise ? r.then(createdHttp) : answer(r);
        },
      },
    ],
    subscribe: [
      {
        topic: 'override/set',
        async onMessage(payload) {
          const p = payload.trim();
          let r: Answer;
          if (p === 'toggle') r = toggled(await toggle());
          else if (p === 'clear') r = deleted(await clear());
          else {
            const doc = jsonBody(p);
            if (doc === undefined) return ctx.log('mqtt: override/set: could not parse JSON');
            const claimed = set(doc);
            r = claimed instanceof Promise ? created(await claimed) : claimed;
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

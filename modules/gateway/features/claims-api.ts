// Claims for API clients such as evcc and Home Assistant (OpenEVSE
// web_server_claims.cpp): `GET /claims` lists every claim, `/claims/target`
// the resolved properties and who owns each, `/claims/{client}` reads, files
// (priority 500) or releases one client's claim. `claims_version` moves on
// every change, so clients know when to refetch. Over MQTT, `<base>/claim/set`
// files the MQTT client's claim (0x0001000b, priority 500) from JSON
// properties, or releases it with `release`; the retained `<base>/claim`
// carries it, or {"state":"null"} (OpenEVSE mqtt.cpp).

import { Client, Priority, parseProperties, propertiesJson } from '../claims';
import type { Feature, FeatureContext } from '../feature';
import { answer, jsonBody, msg } from '../http-answer';

/** Client ids are 32-bit numbers (vendor << 16 | n), in decimal as OpenEVSE parses them. */
export function clientId(text: string): number | undefined {
  return /^\d{1,10}$/.test(text) && Number(text) <= 0xfffffffe ? Number(text) : undefined;
}

export function claimsApiFeature(ctx: FeatureContext): Feature {
  let mqttVersion = 0;
  return {
    name: 'claims-api',
    claims: [{ priority: Priority.Api }],
    status: [{ fields: () => ({ claims_version: ctx.claimsVersion() }) }],
    claimsChanged(clients) {
      if (!clients.includes(Client.Mqtt)) return;
      mqttVersion++;
      ctx.publishRetained();
    },
    subscribe: [
      {
        topic: 'claim/set',
        async onMessage(payload) {
          const p = payload.trim();
          if (p === 'release') {
            await ctx.release(Client.Mqtt);
            return;
          }
          const parsed = parseProperties(jsonBody(p));
          if (!parsed.ok) return ctx.log(`mqtt: claim/set: ${parsed.error}`);
          if (!(await ctx.claim(Client.Mqtt, parsed.properties))) ctx.log('mqtt: claim/set: could not make claim');
        },
      },
    ],
    retained: [
      {
        topic: 'claim',
        version: () => mqttVersion,
        payload: () => {
          const c = ctx.claimOf(Client.Mqtt);
          return JSON.stringify(c ? propertiesJson(c.properties) : { state: 'null' });
        },
      },
    ],
    routes: [
      {
        path: '/claims',
        methods: ['GET'],
        handle: () => answer(200, ctx.claimList().map((c) => ({ client: c.client, priority: c.priority, ...propertiesJson(c.properties) }))),
      },
      {
        path: '/claims/target',
        methods: ['GET'],
        handle: () => {
          const t = ctx.target();
          return answer(200, { properties: propertiesJson({ ...t.properties, state: t.properties.state ?? ctx.state() }), claims: t.owners });
        },
      },
      {
        path: '/claims/{client}',
        methods: ['GET', 'POST', 'DELETE'],
        async handle(req, params) {
          const client = clientId(params.client);
          if (client === undefined) return msg(404, 'Not found');
          if (req.method === 'GET' || req.method === 'HEAD') {
            const c = ctx.claimOf(client);
            return c ? answer(200, { priority: c.priority, ...propertiesJson(c.properties) }) : msg(404, 'Not found');
          }
          if (req.method === 'DELETE') return (await ctx.release(client)) ? msg(200, 'done') : msg(404, 'Not found');
          const doc = jsonBody(req.body);
          if (doc === undefined) return msg(400, 'Could not parse JSON');
          const parsed = parseProperties(doc);
          if (!parsed.ok) return msg(400, parsed.error);
          if (!(await ctx.claim(client, parsed.properties))) return msg(400, 'Could not make claim');
          return msg(200, 'done');
        },
      },
    ],
  };
}

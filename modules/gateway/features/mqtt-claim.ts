// The MQTT client's claim (OpenEVSE mqtt.cpp): `<base>/claim/set` files it
// (client 0x0001000b, priority 500) from JSON properties as /claims/{client}
// takes them, or releases it with `release`; the retained `<base>/claim`
// carries it, or {"state":"null"} when there is none.

import { Client, Priority, parseProperties, propertiesJson } from '../claims';
import type { Feature, FeatureContext } from '../feature';
import { jsonBody } from '../http-answer';

export function mqttClaimFeature(ctx: FeatureContext): Feature {
  let mqttVersion = 0;
  return {
    name: 'mqtt-claim',
    claims: [{ client: Client.Mqtt, priority: Priority.Mqtt }],
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
  };
}

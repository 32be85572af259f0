// Claims for API clients such as evcc and Home Assistant (OpenEVSE
// web_server_claims.cpp): `GET /claims` lists every claim, `/claims/target`
// the resolved properties and who owns each, `/claims/{client}` reads, files
// (priority 500) or releases one client's claim. `claims_version` moves on
// every change, so clients know when to refetch. The MQTT client's claim is
// mqtt-claim.ts. One object on the device (docs/features.md, "Memory on the
// device").

import { Priority, parseProperties, propertiesJson } from '../claims';
import type { Feature, FeatureContext, StatusSource } from '../feature';
import { declaredFeature, type Declaration, type RouteOwner, type RouteSpec } from '../feature-parts';
import type { HttpRequest, HttpResponse } from '../../ports';
import type { Json } from '../status';
import { answer, jsonBody, msg } from '../http-answer';

/** Client ids are 32-bit numbers (vendor << 16 | n), in decimal as OpenEVSE parses them. */
export function clientId(text: string): number | undefined {
  return /^\d{1,10}$/.test(text) && Number(text) <= 0xfffffffe ? Number(text) : undefined;
}

const DECLARATION: Declaration = {
  name: 'claims-api',
  claims: [{ priority: Priority.Api }],
  routes: [
    { path: '/claims', methods: ['GET'] },
    { path: '/claims/target', methods: ['GET'] },
    { path: '/claims/{client}', methods: ['GET', 'POST', 'DELETE'] },
  ],
  status: true,
};

/** One object on the device: its own status source, its routes as parts (feature-parts.ts). */
export class ClaimsApiFeature extends declaredFeature(DECLARATION) implements StatusSource, RouteOwner {
  fields(): Record<string, Json> {
    return { claims_version: this.ctx.claimsVersion() };
  }

  route(spec: RouteSpec, req: HttpRequest, params: Record<string, string>): Promise<HttpResponse> | HttpResponse {
    const ctx = this.ctx;
    if (spec.path === '/claims') {
      return answer(200, ctx.claimList().map((c) => ({ client: c.client, priority: c.priority, ...propertiesJson(c.properties) })));
    }
    if (spec.path === '/claims/target') {
      const t = ctx.target();
      return answer(200, { properties: propertiesJson({ ...t.properties, state: t.properties.state ?? ctx.state() }), claims: t.owners });
    }
    return this.#client(req, params);
  }

  async #client(req: HttpRequest, params: Record<string, string>): Promise<HttpResponse> {
    const ctx = this.ctx;
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
  }
}

export function claimsApiFeature(ctx: FeatureContext): Feature {
  return new ClaimsApiFeature(ctx);
}

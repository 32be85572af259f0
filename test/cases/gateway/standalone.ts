// A gateway with the simulated station over the in-process RAPI link, on a
// virtual clock, built with the features a case asks for.
import { Gateway } from '../../../modules/gateway/gateway';
import type { FeatureFactory } from '../../../modules/gateway/feature';
import type { Storage } from '../../../modules/ports';
import { FULL_FEATURES } from '../../../modules/gateway/features/standard';
import { LinkEnd } from '../../../modules/rapi/link';
import { SimStation } from '../../../sim/station';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage, bodyJson, request, run, settle } from './fixtures';

export function standalone(options: { features?: readonly FeatureFactory[]; storage?: Storage } = {}) {
  const clock = new VirtualClock();
  const [gw, ctl] = LinkEnd.pair(clock);
  const station = new SimStation({ clock, output: ctl });
  ctl.onReceive((b) => station.receive(b));
  const storage = options.storage ?? new MemoryStorage();
  const gateway = new Gateway({ clock, timers: clock, storage, link: gw, info: { id: 'a1b2c3d4e5f6', version: '5.1.0' }, features: options.features ?? FULL_FEATURES });
  gw.onReceive((b) => gateway.receive(b));
  const http = (method: string, path: string, opts: Parameters<typeof request>[2] = {}) => settle(clock, gateway.http(request(method, path, opts)));
  const post = (path: string, doc: unknown, method = 'POST') => http(method, path, { body: typeof doc === 'string' ? doc : JSON.stringify(doc) });
  const status = async () => bodyJson(await http('GET', '/status'));
  station.start();
  gateway.start();
  return { clock, station, gateway, storage, http, post, status, run: (ms: number) => run(clock, ms) };
}

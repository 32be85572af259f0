// Node-side wiring for the gateway's black-box tests: the real controller
// (SimStation) on the far end of the RAPI link, the gateway's router behind a
// real node:http server, files for storage, real time.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gateway, type GatewayOptions } from '../../../modules/gateway/gateway';
import { LinkEnd } from '../../../modules/rapi/link';
import { SimStation } from '../../../sim/station';
import { NodeClock } from '../../../hosts/node/clock';
import { FileStorage } from '../../../hosts/node/file-storage';
import { serveHttp, type RunningHttpServer } from '../../../hosts/node/http-server';
import { nodeSystem } from '../../../hosts/node/system';
import { serveWs } from '../../../hosts/node/ws-server';
import { FULL_FEATURES } from '../../../modules/gateway/features/standard';

export interface Rig {
  clock: NodeClock;
  station: SimStation;
  gateway: Gateway;
  http: RunningHttpServer;
  /** ws://…/ws */
  wsUrl: string;
  dir: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `evse-${name}-`));
}

export async function until(predicate: () => boolean | Promise<boolean>, limit = 10000, step = 20): Promise<void> {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > limit) throw new Error(`condition not met within ${limit} ms`);
    await new Promise((r) => setTimeout(r, step));
  }
}

export async function standalone(options: { dir?: string; silent?: boolean; gateway?: Partial<GatewayOptions>; pingPeriod?: number } = {}): Promise<Rig> {
  const clock = new NodeClock();
  const dir = options.dir ?? tempDir('gw');
  const [gw, ctl] = LinkEnd.pair(clock);
  const station = new SimStation({ clock, output: ctl });
  if (!options.silent) ctl.onReceive((b) => station.receive(b));
  const gateway = new Gateway({
    clock,
    timers: clock,
    storage: new FileStorage(join(dir, 'gateway')),
    link: gw,
    info: { id: 'a1b2c3d4e5f6', version: '5.1.0' },
    system: nodeSystem({ ipaddress: '127.0.0.1' }),
    features: FULL_FEATURES,
    ...options.gateway,
  });
  gw.onReceive((b) => gateway.receive(b));
  station.start();
  gateway.start();
  const http = await serveHttp((r) => gateway.http(r));
  const ws = serveWs(http, gateway, { pingPeriod: options.pingPeriod });
  return {
    clock,
    station,
    gateway,
    http,
    wsUrl: http.url.replace(/^http/, 'ws') + '/ws',
    dir,
    get: (path, init) => fetch(http.url + path, init),
    post: (path, body, init) => fetch(http.url + path, { method: 'POST', body, ...init, headers: { 'Content-Type': 'application/json', ...(init?.headers ?? {}) } }),
    async close() {
      ws.close();
      await http.close();
      gateway.stop();
      station.stop();
    },
  };
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

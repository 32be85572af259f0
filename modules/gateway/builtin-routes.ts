// What the router's built-in routes (http-api.ts: /status, /config, /r, /scan,
// /savenetwork, /savemqtt, /crashlog, /apoff, /reset, /restart, /debug, /evse,
// the dashboard's files) need from the gateway, bound to one gateway.
//
// A class rather than an object of arrow functions: its methods live once on
// the prototype (in flash when preloaded), where every closure would cost
// the device about ten slots and some chunk bytes of RAM.

import type { Gateway, SystemPort } from './gateway';
import type { HttpBackend, RapiOutcome, ScanResult } from './http-api';
import type { CrossSitePolicy } from './cross-site';
import { parseOrigins } from './cross-site';
import type { HttpResponse } from '../ports';
import { isReply } from './rapi-client';

class BuiltinBackend implements HttpBackend {
  readonly #gw: Gateway;
  readonly #system: SystemPort | undefined;

  constructor(gw: Gateway, system: SystemPort | undefined) {
    this.#gw = gw;
    this.#system = system;
  }

  status() {
    return this.#gw.status();
  }
  config() {
    return this.#gw.configDoc();
  }
  updateConfig(u: Record<string, unknown>) {
    return this.#gw.updateConfig(u);
  }
  rapi(c: string, done: (outcome: RapiOutcome) => void) {
    this.#gw.rapiThen(c, 'http', done);
  }
  crashlog(n: number) {
    const log = this.#gw.crashLog;
    return { boot_count: log.current.boot_count, crash_seq: log.current.seq, events: log.recent(n) };
  }
  async scan(): Promise<ScanResult[]> {
    return (await this.#system?.scan?.()) ?? [];
  }
  saveNetwork(ssid: string, pass: string | undefined): string | undefined {
    const gw = this.#gw;
    const r = gw.config.update(pass === undefined ? { ssid } : { ssid, pass });
    if (!r.ok) return r.error;
    gw.log(`network: saved ssid ${ssid}`);
    const system = this.#system;
    gw.later(() => system?.joinNetwork?.(gw.config.get('ssid'), gw.config.get('pass')));
    return undefined;
  }
  apOff(): void {
    const system = this.#system;
    this.#gw.later(() => system?.apOff?.(), 1000);
  }
  reset(): void {
    const gw = this.#gw;
    const system = this.#system;
    gw.log('config: reset to defaults');
    gw.config.reset();
    gw.applyMqtt();
    gw.later(() => system?.restart?.());
  }
  async restart(device: 'gateway' | 'evse'): Promise<boolean> {
    const gw = this.#gw;
    if (device === 'evse') {
      const r = await gw.client.send('FR');
      return isReply(r) && r.ok;
    }
    // A host that cannot restart must not be left stopped: say so instead.
    const restart = this.#system?.restart;
    if (!restart) return false;
    gw.log('gateway: restart requested');
    gw.later(() => {
      gw.stop();
      restart();
    });
    return true;
  }
  debugText(): string {
    return this.#gw.debug.text();
  }
  evseText(): string {
    return this.#gw.evse.text();
  }
  credentials(): { user: string; pass: string } | undefined {
    const gw = this.#gw;
    const pass = gw.config.get('www_password');
    if (pass === '' || gw.network().mode === 'AP') return undefined;
    return { user: gw.config.get('www_username') || 'openevseadmin', pass };
  }
  file(path: string, gzip: boolean): HttpResponse | undefined {
    return this.#system?.file?.(path, gzip);
  }
  log(line: string): void {
    this.#gw.log(line);
  }
  now(): number {
    return this.#gw.now();
  }
  crossSite(): CrossSitePolicy {
    const gw = this.#gw;
    return { hostnames: [gw.config.get('hostname'), ...(this.#system?.names?.() ?? [])], allowed: parseOrigins(gw.config.get('http_allowed_origins')) };
  }
}

export function builtinBackend(gw: Gateway, system: SystemPort | undefined): HttpBackend {
  return new BuiltinBackend(gw, system);
}

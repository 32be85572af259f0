// The ServiceDiscovery port over bonjour-service: browses `_openevse._tcp`
// (as OpenEVSE units and `npm start`, hosts/node/mdns.ts, announce themselves)
// for load-sharing peers.

import { Bonjour } from 'bonjour-service';
import type { ServiceDiscovery } from '../../modules/ports';

export class NodeServiceDiscovery implements ServiceDiscovery {
  readonly #bonjour = new Bonjour();

  browse(onFound: (address: string, txt: Record<string, string>) => void): { stop(): void } {
    const browser = this.#bonjour.find({ type: 'openevse', protocol: 'tcp' }, (s) => {
      const host = s.addresses?.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)) ?? s.host;
      const txt: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.txt ?? {})) txt[k] = String(v);
      onFound(`${host}:${s.port}`, txt);
    });
    return { stop: () => browser.stop() };
  }

  destroy(): void {
    this.#bonjour.destroy();
  }
}

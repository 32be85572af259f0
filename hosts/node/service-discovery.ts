// The ServiceDiscovery port over bonjour-service: browses `_openevse._tcp`
// (as OpenEVSE units announce themselves) and announces this charger with
// its id and load-sharing group in the TXT record.

import { Bonjour } from 'bonjour-service';
import type { ServiceDiscovery } from '../../modules/ports';

export class NodeServiceDiscovery implements ServiceDiscovery {
  readonly #bonjour = new Bonjour();

  /** Announces `name` on `port` with `txt`; returns the stop. */
  announce(name: string, port: number, txt: Record<string, string>): () => void {
    const service = this.#bonjour.publish({ name, type: 'openevse', protocol: 'tcp', port, txt });
    return () => service.stop?.();
  }

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

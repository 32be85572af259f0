// mDNS / DNS-SD on the device with the SDK's `mdns` module (a responder on
// the SDK's UDP socket, multicast 224.0.0.251:5353): claims `<hostname>.local`
// by probing, then publishes what modules/gateway/mdns.ts says, as
// hosts/node/mdns.ts does with bonjour-service on `npm start`. A new hostname
// in /config starts it again under the new name; so does every new address
// (the Wi-Fi station's onOnline), because the multicast membership belongs to
// the socket of the address it was made on.
//
// The responder answers queries as they come and re-announces each service
// at 0.5, 1, 2 … 16 s after it is added (the module's own schedule); it keeps
// no cache of other hosts, so what it holds in the heap is the socket, its
// two service records and their timers.

import MDNS from 'mdns';
import type { Gateway } from '../../modules/gateway/gateway';
import { advertisements } from '../../modules/gateway/mdns';
import type { Logger } from '../../modules/ports';

/** What the SDK 8.2.3 module has beyond its published typings. */
interface Responder {
  add(service: { name: string; protocol: string; port: number; txt: Record<string, string> }): void;
  close(): void;
}
/** `MDNS.hostName`: the callback's message once a name is claimed (the value is the name, maybe with "-2"). */
const CLAIMED = (MDNS as unknown as { hostName: number }).hostName;

export interface DnsSdOptions {
  gateway: Gateway;
  /** The HTTP port the services point at. */
  port: number;
  logger: Logger;
}

export class DnsSd {
  readonly #options: DnsSdOptions;
  #responder?: Responder;
  #hostname = '';

  constructor(options: DnsSdOptions) {
    this.#options = options;
    options.gateway.subscribe((changed) => {
      // only once started: the first start waits for an address (onOnline)
      if ('config_version' in changed && this.#hostname && options.gateway.config.get('hostname') !== this.#hostname) this.start();
    });
  }

  /** (Re)starts the responder under the configured hostname. */
  start(): void {
    const { gateway, port, logger } = this.#options;
    this.stop();
    const hostname = (this.#hostname = gateway.config.get('hostname'));
    if (!hostname) return;
    const info = gateway.info;
    try {
      const responder = new MDNS({ hostName: hostname }, (message, value) => {
        if (message !== CLAIMED || !value || this.#responder !== responder) return;
        for (const a of advertisements({ hostname: value, port, buildenv: info.buildenv ?? 'evse-xs', version: info.version ?? '5.1.0', id: gateway.id }))
          responder.add({ name: a.type, protocol: a.protocol, port: a.port, txt: a.txt });
        logger.log(`mdns: advertising ${value}.local (_openevse._tcp, _http._tcp) on port ${port}`);
      }) as unknown as Responder;
      this.#responder = responder;
    } catch (e) {
      // No multicast on this network yet: the next onOnline tries again. (Where the SDK's socket
      // refuses multicast outright, SDK 8.2.3's Linux one, the simulator aborted with "unhandled
      // exception" at the firmware's next step after this catch: main.ts never starts it there.)
      logger.log(`mdns: not started for ${hostname}.local: ${(e as Error).message}`);
    }
  }

  /** Says goodbye for both services and closes the socket. */
  stop(): void {
    const responder = this.#responder;
    this.#responder = undefined;
    responder?.close();
  }
}

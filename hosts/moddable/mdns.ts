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
// two service records and their timers: 90 live slots, measured in the
// simulator by test/node/moddable/mdns.test.ts (docs/moddable.md).
//
// In the simulator it starts at boot, on the Linux socket that
// tools/simulator-socket.mjs fixes; the browser test there found the two SDK
// faults this file works around (TXT records, the looped-back probe).

import MDNS from 'mdns';
import Net from 'net';
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

/** The parts of a packet of the SDK's DNS parser that the probe check reads. */
interface Packet {
  answers: number;
  additionals: number;
  answer(i: number): { qtype: number; qname: string[]; rdata: unknown };
  additional(i: number): { qtype: number; qname: string[]; rdata: unknown };
}
const A = 1;
type MdnsClass = new (options: { hostName: string }, callback: (message: number, value?: string) => void) => object;

/**
 * The SDK's responder, except that while it probes, a packet whose only A
 * records for the name carry this host's own address is not a rival's claim
 * (RFC 6762 §9: an identical record is no conflict). That packet is its own
 * probe, back through the multicast loopback of a socket that shares its host
 * with other responders and browsers (the simulator's, tools/simulator-socket.mjs);
 * the SDK's module took it for a conflict and moved every name to "-2".
 */
class Responder extends (MDNS as unknown as MdnsClass) {
  scanPacket(packet: Packet, address: string): void {
    const self = this as unknown as { probing?: number; hostNameLower: string };
    if ((self.probing ?? 0) > 0 && ownProbe(packet, self.hostNameLower)) return;
    (MDNS.prototype as unknown as { scanPacket(p: Packet, a: string): void }).scanPacket.call(this, packet, address);
  }
}

function ownProbe(packet: Packet, name: string): boolean {
  const ip = Net.get('IP');
  let own = false;
  for (let i = 0, n = packet.answers + packet.additionals; i < n; i++) {
    const r = i < packet.answers ? packet.answer(i) : packet.additional(i - packet.answers);
    if (r.qtype !== A || r.qname.length !== 2 || r.qname[0].toLowerCase() !== name) continue;
    if (r.rdata !== ip) return false;
    own = true;
  }
  return own;
}

/**
 * TXT records as the SDK 8.2.3 DNS serializer writes them right: from an Array
 * carrying them as named properties (it walks those with for…in). A plain
 * object goes through `for (const [k, v] in data)`, which splits each key, so
 * {type: "x"} went out as "t=y" (found by the simulator's browser test).
 */
function txtRecords(txt: Record<string, string>): Record<string, string> {
  return Object.assign([] as unknown as Record<string, string>, txt);
}

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
      const responder = new Responder({ hostName: hostname }, (message, value) => {
        if (message !== CLAIMED || !value || this.#responder !== responder) return;
        for (const a of advertisements({ hostname: value, port, buildenv: info.buildenv ?? 'evse-xs', version: info.version ?? '5.1.0', id: gateway.id }))
          responder.add({ name: a.type, protocol: a.protocol, port: a.port, txt: txtRecords(a.txt) });
        logger.log(`mdns: advertising ${value}.local (_openevse._tcp, _http._tcp) on port ${port}`);
      }) as unknown as Responder;
      this.#responder = responder;
    } catch (e) {
      // No multicast on this network yet: the next onOnline tries again. (SDK 8.2.3's own Linux
      // socket refuses every multicast address, and the half-made socket it leaves closes fd 0
      // when collected: main.ts asks platform.multicast() before it starts the simulator's.)
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

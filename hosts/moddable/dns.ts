// Host names to IPv4 addresses through the network's own resolver first: on
// the ESP32 that is lwIP with the DNS servers DHCP handed out (so a broker
// given by a LAN host name resolves as it does for every other device on that
// network); in the simulator it is the host's resolver (/etc/hosts, its DNS).
// Only when that finds nothing are public servers asked over UDP, which is
// what a network with a broken or absent DNS server still allows.

import Net from 'net';
import UDP from 'embedded:io/socket/udp';
import Resolver from 'embedded:network/dns/resolver/udp';

/** Asked only after the network's own resolver found nothing. */
export const FALLBACK_DNS: readonly string[] = ['1.1.1.1', '8.8.8.8'];

export function isIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** Calls `done` once, on a later turn, with the address or with why there is none. */
export function resolveHost(host: string, done: (address: string | undefined, error?: string) => void, fallback: readonly string[] = FALLBACK_DNS): void {
  if (isIpv4(host)) {
    Promise.resolve().then(() => done(host));
    return;
  }
  Net.resolve(host, (_name, address) => {
    if (address && isIpv4(address)) return done(address);
    if (fallback.length === 0) return done(undefined, `cannot resolve ${host}`);
    let resolver: Resolver | undefined;
    const finish = (address: string | undefined, error?: string) => {
      resolver?.close();
      resolver = undefined;
      done(address, error);
    };
    try {
      resolver = new Resolver({ servers: fallback.slice(), socket: { io: UDP } });
      resolver.resolve({
        host,
        // (The typing wants null back.)
        onResolved: (_host: string, address: string) => (finish(address), null),
        onError: () => (finish(undefined, `cannot resolve ${host} (network DNS, then ${fallback.join(', ')})`), null),
      });
    } catch (e) {
      finish(undefined, `cannot resolve ${host}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

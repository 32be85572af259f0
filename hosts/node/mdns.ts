// mDNS / DNS-SD on the Node host with bonjour-service: publishes what
// modules/gateway/mdns.ts says, again when the hostname changes, and says
// goodbye on close.

import { Bonjour, type Service } from 'bonjour-service';
import type { Gateway } from '../../modules/gateway/gateway';
import { advertisements } from '../../modules/gateway/mdns';

export interface RunningMdns {
  close(): Promise<void>;
}

export function advertise(gateway: Gateway, port: number): RunningMdns {
  const bonjour = new Bonjour({}, (e: Error) => gateway.log(`mdns: ${e.message}`));
  let services: Service[] = [];
  let published = '';
  const publish = () => {
    const hostname = gateway.config.get('hostname');
    if (hostname === published) return;
    published = hostname;
    for (const s of services) s.stop?.();
    services = advertisements({ hostname, port, buildenv: gateway.info.buildenv ?? 'evse-xs', version: gateway.info.version ?? '5.1.0', id: gateway.id }).map((a) =>
      bonjour.publish({ name: a.name, type: a.type, protocol: a.protocol, port: a.port, txt: a.txt, host: `${hostname}.local`, disableIPv6: true }),
    );
    gateway.log(`mdns: advertising ${hostname} (_openevse._tcp, _http._tcp) on port ${port}`);
  };
  publish();
  const off = gateway.subscribe((f) => {
    if ('config_version' in f) publish();
  });
  return {
    close: () =>
      new Promise<void>((done) => {
        off();
        bonjour.unpublishAll(() => {
          bonjour.destroy();
          done();
        });
      }),
  };
}

// What the gateway advertises over mDNS / DNS-SD, as OpenEVSE does
// (net_manager.cpp): `_http._tcp` and `_openevse._tcp` on the HTTP port under
// the hostname, the latter with TXT records `type` (the build), `version`
// (the gateway firmware) and `id` (the device id). Upstream OpenEVSE finds
// its load-sharing peers by browsing `_openevse._tcp`. Pure data; the host's
// mDNS responder (bonjour-service on Node, the SDK's dnssd on Moddable)
// publishes it.

export interface Advertisement {
  /** Service type without the underscore and protocol: "openevse", "http". */
  type: string;
  protocol: 'tcp';
  /** Instance name: the hostname. */
  name: string;
  port: number;
  txt: Record<string, string>;
}

export function advertisements(info: { hostname: string; port: number; buildenv: string; version: string; id: string }): Advertisement[] {
  return [
    { type: 'http', protocol: 'tcp', name: info.hostname, port: info.port, txt: {} },
    { type: 'openevse', protocol: 'tcp', name: info.hostname, port: info.port, txt: { type: info.buildenv, version: info.version, id: info.id } },
  ];
}

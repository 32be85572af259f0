// The black-box cases of the features beyond the standard list (feature-cases.ts),
// from the outside only, on every host that has them: `npm start` (Node,
// standalone, FULL_FEATURES) and the Moddable firmware in the real simulator in
// both roles with the device's list (docs/moddable.md, "Features by role"), all
// five, the energy history and HA discovery included: the standalone role,
// controller and gateway in one heap, and the gateway role, RAPI over a
// pseudo-terminal to a Node controller.

import { describe } from 'vitest';
import { featureCases } from './feature-cases';
import { moddableHost, nodeHost, type ChargerHost } from './hosts';
import { chargerFromOutside, mosquittoPub, until } from './outside';

const hosts: { host: ChargerHost; full: boolean }[] = [
  { host: nodeHost, full: true },
  { host: moddableHost('standalone'), full: true },
  { host: moddableHost('gateway'), full: true },
];

for (const { host, full } of hosts) {
  const why = host.unavailable();
  describe.skipIf(why !== undefined)(`limit, schedule, MQTT claim, energy, HA discovery from outside: ${host.name}`, () => {
    const outside = chargerFromOutside(host, {
      name: 'blackbox-features',
      ready: { rapi_connected: 'the gateway sees the controller', mqtt_connected: 'the gateway connected to MQTT' },
      readyMs: 30_000,
    });
    const { json, send, seen } = outside;

    featureCases({
      json,
      send,
      sim: (path, body) => fetch(outside.charger.simUrl + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
      full,
      until,
      pub: (t, p) => mosquittoPub(outside.broker.port, t, p),
      seen: () => seen,
      topic: () => outside.topic,
      brokerPort: () => outside.broker.port,
    });
  });
}

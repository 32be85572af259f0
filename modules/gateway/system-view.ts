// What the `system` feature (features/system.ts) reads of the gateway: the
// network, the heap, the MQTT and controller links, the config version and
// the crash log's fields, as methods on one object rather than six closures
// (slots on the device).

import type { Gateway } from './gateway';
import type { SystemInfo } from './features/system';
import type { HeapInfo, Json, NetworkInfo } from './status';

export class SystemView implements SystemInfo {
  readonly #gateway: Gateway;
  constructor(gateway: Gateway) {
    this.#gateway = gateway;
  }
  network(): NetworkInfo {
    return this.#gateway.network();
  }
  heap(): HeapInfo {
    return this.#gateway.heap();
  }
  mqttConnected(): boolean {
    return this.#gateway.mqttConnected;
  }
  evseConnected(): boolean {
    return this.#gateway.monitor.ready;
  }
  configVersion(): number {
    return this.#gateway.config.version;
  }
  crashFields(into: Record<string, Json>): Record<string, Json> {
    return this.#gateway.crashLog.fields(into);
  }
}

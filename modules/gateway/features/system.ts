// The gateway's own status fields: network, services, heap, the RAPI link,
// time, uptime, the crash log's boot record, and the fields of services this
// build does not have (EmonCMS, OhmConnect …) at the values OpenEVSE shows when
// they are off. A feature that brings one of those services comes later in the
// list and its fields replace these.

import type { Feature, FeatureContext, StatusSource } from '../feature';
import { declaredFeature, type Declaration } from '../feature-parts';
import type { HeapInfo, Json, NetworkInfo } from '../status';
import { isoTime, localIsoTime, utcOffset } from '../status';
import { ZoneClock } from '../time-zone';

export interface SystemInfo {
  network(): NetworkInfo;
  heap(): HeapInfo;
  mqttConnected(): boolean;
  /** The controller answered and its settings were read. */
  evseConnected(): boolean;
  configVersion(): number;
  /** The crash log's boot record, written into `into` (returned). */
  crashFields(into: Record<string, Json>): Record<string, Json>;
}

const DECLARATION: Declaration = { name: 'system' };

/**
 * One object on the device (docs/features.md, "Memory on the device"): its own status source for
 * what changes rarely, `SystemClocks` for the counters and clocks.
 */
export class SystemFeature extends declaredFeature(DECLARATION) implements StatusSource {
  readonly info: SystemInfo;
  readonly zones = new ZoneClock();
  /** The zone's offset last seen, minutes east, and its text: made again only when it moves (twice a year, or a new zone). */
  offsetFor = NaN;
  offsetText = '';

  constructor(ctx: FeatureContext, info: SystemInfo) {
    super(ctx);
    this.info = info;
  }

  override get status(): readonly StatusSource[] {
    return [this, new SystemClocks(this)];
  }

  // What changes rarely and means something when it does: events too.
  fields(into?: Record<string, Json>): Record<string, Json> {
    const info = this.info;
    // Written into the status document when it is given (no object to merge), else into a fresh one.
    const f = into ?? {};
    const net = info.network();
    f.mode = net.mode;
    f.wifi_client_connected = net.wifi_client_connected;
    f.eth_connected = net.eth_connected;
    f.net_connected = net.wifi_client_connected || net.eth_connected ? 1 : 0;
    f.ipaddress = net.ipaddress;
    f.emoncms_connected = 0;
    f.mqtt_connected = info.mqttConnected() ? 1 : 0;
    f.ohm_hour = 'None';
    f.nofos_connected = 0;
    f.ocpp_connected = 0;
    f.rapi_connected = this.ctx.rapi.connected ? 1 : 0;
    f.evse_connected = info.evseConnected() ? 1 : 0;
    f.divertmode = 1;
    f.divert_active = false;
    f.ota_update = 0;
    f.config_version = info.configVersion();
    return f;
  }

  /** The counters and clocks. */
  clocks(into?: Record<string, Json>): Record<string, Json> {
    const ctx = this.ctx;
    const info = this.info;
    const f = into ?? {};
    const heap = info.heap();
    const wall = ctx.clock.wall();
    // UTC offset of the configured zone ("Region/City|POSIX rule") at this moment
    const zone = ctx.config('time_zone');
    const east = this.zones.minutesEast(typeof zone === 'string' ? zone : String(zone ?? ''), wall);
    if (east !== this.offsetFor) {
      this.offsetFor = east;
      this.offsetText = utcOffset(east);
    }
    const offset = this.offsetText;
    f.srssi = info.network().srssi;
    f.packets_sent = 0;
    f.packets_success = 0;
    f.free_heap = heap.free_heap;
    f.largest_free_block = heap.largest_free_block;
    f.min_free_heap = heap.min_free_heap;
    f.freeram = heap.free_heap;
    f.comm_sent = ctx.rapi.sent;
    f.comm_success = ctx.rapi.success;
    f.uptime = ctx.uptime();
    f.time = isoTime(wall);
    f.local_time = localIsoTime(wall, east, offset);
    f.offset = offset;
    return info.crashFields(f);
  }
}

/** Counters and clocks: in /status and the periodic MQTT publish, not change events. */
class SystemClocks implements StatusSource {
  readonly #system: SystemFeature;

  constructor(system: SystemFeature) {
    this.#system = system;
  }

  get events(): boolean {
    return false;
  }

  fields(into?: Record<string, Json>): Record<string, Json> {
    return this.#system.clocks(into);
  }
}

export function systemFeature(info: SystemInfo): (ctx: FeatureContext) => Feature {
  return (ctx) => new SystemFeature(ctx, info);
}

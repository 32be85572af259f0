// The gateway's own status fields: network, services, heap, the RAPI link,
// time, uptime, the crash log's boot record, and the fields of services this
// build does not have (EmonCMS, OhmConnect …) at the values OpenEVSE shows when
// they are off. A feature that brings one of those services comes later in the
// list and its fields replace these.

import type { Feature, FeatureContext } from '../feature';
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

export function systemFeature(info: SystemInfo): (ctx: FeatureContext) => Feature {
  return (ctx) => {
    const zones = new ZoneClock();
    let offsetFor = NaN;
    let offsetText = '';
    return {
      name: 'system',
      status: [
        {
          // What changes rarely and means something when it does: events too.
          fields: (into) => {
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
            f.rapi_connected = ctx.rapi.connected ? 1 : 0;
            f.evse_connected = info.evseConnected() ? 1 : 0;
            f.divertmode = 1;
            f.divert_active = false;
            f.ota_update = 0;
            f.config_version = info.configVersion();
            return f;
          },
        },
        {
          // Counters and clocks: in /status and the periodic MQTT publish, not change events.
          events: false,
          fields: (into) => {
            const f = into ?? {};
            const heap = info.heap();
            const wall = ctx.clock.wall();
            // UTC offset of the configured zone ("Region/City|POSIX rule") at this moment
            const zone = ctx.config('time_zone');
            const east = zones.minutesEast(typeof zone === 'string' ? zone : String(zone ?? ''), wall);
            // The offset's text is made again only when the offset moves (twice a year, or a new zone).
            if (east !== offsetFor) {
              offsetFor = east;
              offsetText = utcOffset(east);
            }
            const offset = offsetText;
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
          },
        },
      ],
    };
  };
}

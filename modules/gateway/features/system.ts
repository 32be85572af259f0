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
  crashFields(): Record<string, Json>;
}

export function systemFeature(info: SystemInfo): (ctx: FeatureContext) => Feature {
  return (ctx) => {
    const zones = new ZoneClock();
    return {
      name: 'system',
      status: [
        {
          // What changes rarely and means something when it does: events too.
          fields: () => {
            const net = info.network();
            return {
              mode: net.mode,
              wifi_client_connected: net.wifi_client_connected,
              eth_connected: net.eth_connected,
              net_connected: net.wifi_client_connected || net.eth_connected ? 1 : 0,
              ipaddress: net.ipaddress,
              emoncms_connected: 0,
              mqtt_connected: info.mqttConnected() ? 1 : 0,
              ohm_hour: 'None',
              nofos_connected: 0,
              ocpp_connected: 0,
              rapi_connected: ctx.rapi.connected ? 1 : 0,
              evse_connected: info.evseConnected() ? 1 : 0,
              divertmode: 1,
              divert_active: false,
              ota_update: 0,
              config_version: info.configVersion(),
            };
          },
        },
        {
          // Counters and clocks: in /status and the periodic MQTT publish, not change events.
          events: false,
          fields: () => {
            const heap = info.heap();
            const wall = ctx.clock.wall();
            // UTC offset of the configured zone ("Region/City|POSIX rule") at this moment
            const east = zones.minutesEast(String(ctx.config('time_zone') ?? ''), wall);
            return {
              srssi: info.network().srssi,
              packets_sent: 0,
              packets_success: 0,
              free_heap: heap.free_heap,
              largest_free_block: heap.largest_free_block,
              min_free_heap: heap.min_free_heap,
              freeram: heap.free_heap,
              comm_sent: ctx.rapi.sent,
              comm_success: ctx.rapi.success,
              uptime: ctx.uptime(),
              time: isoTime(wall),
              local_time: localIsoTime(wall, east),
              offset: utcOffset(east),
              ...info.crashFields(),
            };
          },
        },
      ],
    };
  };
}

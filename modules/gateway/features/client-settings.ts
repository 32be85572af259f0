// Settings that clients (Home Assistant's python-openevse-http, the OpenEVSE
// app) write to /config for features this build shows but does not act on
// yet: they are stored and read back like any other, so a client never sees
// "done" for a value that then vanishes. A feature that comes to own one of
// them moves its declaration there (a key may be declared once).

import type { ConfigSpec } from '../config-store';
import type { Feature } from '../feature';

// At module level: in flash on the device, not rebuilt in RAM for each gateway.
const SETTINGS: Record<string, ConfigSpec> = {
  /** Virtual flag in OpenEVSE (divert at start-up): "fast" or "eco". */
  charge_mode: { type: 'enum', values: ['fast', 'eco'], default: 'fast' },
  led_brightness: { type: 'integer', min: 0, max: 255, default: 128 },
  /** Vehicle range from MQTT is in miles rather than km. */
  mqtt_vehicle_range_miles: { type: 'boolean', default: false },
  lang: { type: 'string', max: 8, default: '' },
};

export function clientSettingsFeature(): Feature {
  return { name: 'client-settings', config: SETTINGS };
}

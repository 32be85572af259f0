// GET and POST /config (OpenEVSE web_server_config.cpp): the document is the
// controller's settings (controller-settings.ts), the gateway's metadata and
// every stored setting, secrets masked; a POST checks every field it knows
// (gateway and features' settings, controller settings) before anything is
// kept, saves, writes the controller, and answers as the firmware does:
// {"msg":"done"} when something changed, {"msg":"no change"} when nothing did
// (keys it does not know are ignored, as there), with `config_version`.

import { controllerConfig, controllerWrites } from './controller-settings';
import type { Gateway } from './gateway';
import { isReply } from './rapi-client';

export type ConfigAnswer = { status: number; body: Record<string, unknown> };

const NOFOS_PROFILES = ['Disabled', 'GSM only', 'GSM with fallback to WiFi', 'WiFi only', 'WiFI with fallback to GSM'];

export function configDocument(gw: Gateway): Record<string, unknown> {
  const info = gw.info;
  return {
    ...controllerConfig(gw.monitor.snapshot),
    espflash: info.espflash ?? 4194304,
    identifier: gw.id,
    wifi_serial: gw.id,
    buildenv: info.buildenv ?? 'evse-xs',
    version: info.version ?? '5.1.0',
    mqtt_supported_protocols: ['mqtt', 'mqtts'],
    http_supported_protocols: ['http'],
    // A copy: JSON.stringify throws "read only value" on an array in flash (XS, preloaded module).
    nofos_network_profiles: NOFOS_PROFILES.slice(),
    ...gw.config.masked(),
    config_version: gw.config.version,
  };
}

export async function updateConfig(gw: Gateway, update: Record<string, unknown>): Promise<ConfigAnswer> {
  const checked = gw.config.validate(update);
  if (!checked.ok) return { status: 400, body: { msg: checked.error } };
  const writes = controllerWrites(update, gw.monitor.snapshot);
  if (typeof writes === 'string') return { status: 400, body: { msg: writes } };
  const ignored = Object.keys(update).filter((k) => !gw.config.knows(k) && !controllerKey(k));
  if (ignored.length) gw.log(`config: not a setting here, ignored: ${ignored.join(', ')}`);
  const changed: string[] = gw.config.apply(checked.changes);
  if (changed.length) {
    gw.log(`config: changed ${changed.join(', ')}`);
    gw.configChanged(changed);
  }
  for (const w of writes) {
    const r = await gw.client.send(w.command, w.params, 'config');
    if (!isReply(r)) return { status: 500, body: { msg: r.error, config_version: gw.config.version } };
    if (!r.ok) return { status: 400, body: { msg: `controller refused ${w.field}`, config_version: gw.config.version } };
  }
  if (writes.length) await gw.monitor.refresh();
  return { status: 200, body: { config_version: gw.config.version, msg: changed.length || writes.length ? 'done' : 'no change' } };
}

function controllerKey(k: string): boolean {
  return k === 'service' || k === 'max_current_soft' || k === 'scale' || k === 'offset' || k.endsWith('_check');
}

// The settings that live in the controller and show in /config: the safety
// checks (ECF flag bits of `$GE`, switched with `$FF`), the service level
// (`$SL`), the soft maximum current (`$SC`), the ammeter calibration (`$SA`).
// The gateway reads them over RAPI (evse-monitor.ts) and writes them back with
// the commands here; pure functions, no I/O.

import type { EvseSnapshot } from './evse-snapshot';

/** ECF flag bits of `$GE`, set when a check is turned off; and the `$FF` letter that turns it on and off. */
export const CHECKS: readonly { key: string; short: string; bit: number; feature: string }[] = [
  { key: 'diode_check', short: 'diodet', bit: 0x0002, feature: 'D' },
  { key: 'vent_check', short: 'ventt', bit: 0x0004, feature: 'V' },
  { key: 'ground_check', short: 'groundt', bit: 0x0008, feature: 'G' },
  { key: 'relay_check', short: 'relayt', bit: 0x0010, feature: 'R' },
  { key: 'gfci_check', short: 'gfcit', bit: 0x0200, feature: 'F' },
  { key: 'temp_check', short: 'tempt', bit: 0x0400, feature: 'T' },
];
const FLAG_L2 = 0x0001;
const FLAG_AUTO_SERVICE_OFF = 0x0020;

/** The /config names the controller owns. */
export const CONTROLLER_KEYS: readonly string[] = [...CHECKS.map((c) => c.key), 'service', 'max_current_soft', 'scale', 'offset'];

export type RapiWrite = { field: string; command: string; params: (string | number)[] };

/** The controller's part of the /config document. */
export function controllerConfig(s: Readonly<EvseSnapshot>): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    firmware: s.firmware || '-',
    protocol: s.protocol || '-',
  };
  for (const c of CHECKS) {
    // As OpenEVSE reports them: 1 when the ECF "disabled" bit is set.
    doc[c.short] = s.flags & c.bit ? 1 : 0;
    doc[c.key] = (s.flags & c.bit) === 0;
  }
  Object.assign(doc, {
    service: s.flags & FLAG_L2 ? 2 : 1,
    auto_service: (s.flags & FLAG_AUTO_SERVICE_OFF) === 0,
    scale: s.scale,
    offset: s.offset,
    amplimit: s.maxCurrentHard,
    min_current_hard: s.minCurrent,
    max_current_hard: s.maxCurrentHard,
    max_current_soft: s.maxCurrentSoft,
  });
  return doc;
}

/** The RAPI writes a partial /config asks for, or the first error. */
export function controllerWrites(update: Record<string, unknown>, s: Readonly<EvseSnapshot>): RapiWrite[] | string {
  const out: RapiWrite[] = [];
  for (const c of CHECKS) {
    const v = update[c.key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') return `${c.key} must be true or false`;
    out.push({ field: c.key, command: 'FF', params: [c.feature, v ? 1 : 0] });
  }
  if (update.service !== undefined) {
    // Only a number or a string: String() of an array or object would run its toString (["a"] → "a").
    const given = update.service;
    const v = typeof given === 'number' || typeof given === 'string' ? String(given).toUpperCase() : '';
    if (v !== '1' && v !== '2' && v !== 'A') return 'service must be 1, 2 or "A"';
    out.push({ field: 'service', command: 'SL', params: [v] });
  }
  if (update.max_current_soft !== undefined) {
    const v = update.max_current_soft;
    const max = s.maxCurrentHard || 80;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < s.minCurrent || v > max) return `max_current_soft must be an integer ${s.minCurrent}…${max}`;
    out.push({ field: 'max_current_soft', command: 'SC', params: [v] });
  }
  if (update.scale !== undefined || update.offset !== undefined) {
    const scale = update.scale ?? s.scale;
    const offset = update.offset ?? s.offset;
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > 65535) return 'scale must be an integer 0…65535';
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < -32768 || offset > 32767) return 'offset must be an integer −32768…32767';
    out.push({ field: 'scale', command: 'SA', params: [scale, offset] });
  }
  return out;
}

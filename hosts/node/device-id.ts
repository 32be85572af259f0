// The device id of a Node charger: made once per state directory and kept
// there, as an ESP32 has its MAC.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A stable device id for this state directory (an ESP32 uses its MAC). */
export async function deviceId(dir: string): Promise<string> {
  const file = join(dir, 'device-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{12}$/.test(id)) return id;
  } catch {
    // first start
  }
  // node:crypto only here, at a first start: loading it costs every start a few ms before /status.
  const { randomBytes } = await import('node:crypto');
  const id = randomBytes(6).toString('hex');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, id + '\n');
  return id;
}

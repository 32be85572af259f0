// What `/ws` clients cost the firmware's heap, on the real engine: the
// simulator build with the ESP32's memory sizes (esp32/* creation,
// instrumented), standalone and charging, its live heap after each full
// collection (EVSE_MEMORY_MS=1000, hosts/moddable/simulator/memory.c) for
// 10 s with no client, 10 s with 4 clients connected (the device's limit), and
// 10 s after they left. Slot counts carry over to the ESP32 (16-byte slots
// there, 32 here); chunk bytes here are an upper bound. Needs the Moddable SDK
// (returns no rows without it).
//
//   npx tsx bench/node/moddable-ws-memory.bench.ts     (also part of npm run bench)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFirmware, esp32Creation, findSdk, startSimulator, startXvfb } from '../../test/node/moddable/sdk';
import { freePort } from '../../test/node/gateway/broker';
import { openWs, type WsClient } from '../../test/node/blackbox/ws-client';

type Result = { name: string; value: number; unit: string; note?: string };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureWs(): Promise<{ label: string; slots: number; chunks: number; samples: number }[] | undefined> {
  const sdk = findSdk().sdk;
  if (!sdk) return undefined;
  const build = await buildFirmware(sdk, { instrumented: true, creation: esp32Creation() });
  const display = await startXvfb();
  const state = mkdtempSync(join(tmpdir(), 'evse-wsmem-'));
  const port = await freePort();
  const sim = startSimulator(sdk, build, display, { EVSE_HTTP_PORT: String(port), EVSE_STATE_DIR: state, EVSE_MEMORY_MS: '1000' });
  const clients: WsClient[] = [];
  try {
    await sim.waitFor(/http: listening on port \d+/, 60_000);
    const samples = () => [...sim.output().matchAll(/memory: slots=(\d+) chunks=(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const window = async (label: string) => {
      const from = samples().length;
      await sleep(10_000);
      const s = samples().slice(from);
      if (s.length === 0) throw new Error('no "memory:" lines from the simulator');
      return { label, slots: Math.max(...s.map((x) => x[0])), chunks: Math.max(...s.map((x) => x[1])), samples: s.length };
    };
    await sleep(5000);
    const rows = [await window('no client')];
    for (let i = 0; i < 4; i++) {
      const c = await openWs(`http://127.0.0.1:${port}`);
      await c.next(() => true, 5000, 'the document');
      clients.push(c);
    }
    rows.push(await window('4 clients'));
    for (const c of clients.splice(0)) c.close();
    await sleep(3000);
    rows.push(await window('after they left'));
    return rows;
  } finally {
    for (const c of clients) c.close();
    await sim.stop();
    await display.close();
    rmSync(state, { recursive: true, force: true });
  }
}

export default async function run(): Promise<Result[]> {
  const m = await measureWs();
  if (!m) return [];
  const [none, four, after] = m;
  return [
    { name: 'moddable /ws: live heap with 4 clients over none (simulator, esp32 creation)', value: four.slots - none.slots, unit: 'slots', note: `${none.slots} → ${four.slots}, ${after.slots} after they left; chunks ${none.chunks} → ${four.chunks} B` },
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const r of (await measureWs()) ?? []) console.log(`${r.label.padEnd(16)} live slots peak ${r.slots}, live chunks peak ${r.chunks} B (${r.samples} samples)`);
}

// The 24-hour soak of the standalone firmware on the virtual clock, on the XS
// engine (test/soak/day.ts): eight three-hour cycles of charging, idling,
// HTTP and MQTT. After each cycle the engine is garbage-collected and
// snapshotted, and the snapshot's live slot heap and chunk heap are read
// (as bench/node/moddable-memory.bench.ts reads them), so memory is sampled
// on XS itself; the run continues from that snapshot. Memory must be flat:
// from the second sample on (the first cycle is warm-up: the first session,
// the first MQTT publishes), no sample may exceed the second by more than 8
// slots or 128 chunk bytes: a leak of one log line or one object per cycle,
// let alone per request, shows. The two consoles (/debug, /evse) are emptied
// before each sample: they are rings bounded by characters (console-buffer.ts,
// with up to 16 spare slots between compactions), whose sawtooth while they
// fill over days would hide such a leak.
//
// It also counts the writes each store takes in a day, the figures of the
// flash-wear budget in docs/security.md. Run alone:
//   npx vitest run test/node/fault/soak.test.ts
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildXsnap } from '../../xs/xsnap.mjs';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const dir = join(root, 'test', 'xs', '.build', `soak-${process.pid}`);
const CYCLES = 8;
const SLOT_BYTES_XSNAP = 32;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function live(xsnap: string, snap: string): { slots: number; chunkBytes: number } {
  const r = spawnSync(xsnap, ['-d', snap], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const text = `${r.stdout}${r.stderr}`;
  const section = (tag: string) => {
    const m = new RegExp(`^${tag} (\\d+)$`, 'm').exec(text);
    if (!m) throw new Error(`snapshot dump has no ${tag} section`);
    return Number(m[1]);
  };
  return { slots: Math.floor((section('HEAP') - 8) / SLOT_BYTES_XSNAP), chunkBytes: section('BLOC') - 8 };
}

interface CycleReport {
  t: number;
  problems: string[];
  answers: number;
  replies: number;
  published: number;
  cycles: number;
  wh: number;
  state: number;
  writes: Record<string, { count: number; bytes: number }>;
}

describe('24-hour soak on XS', () => {
  it('runs a day of charging, HTTP and MQTT with every answer right and memory flat', async () => {
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { setup, advance, CYCLE_MS } from ${JSON.stringify(join(root, 'test', 'soak', 'day.ts'))};
declare function gc(): void;
declare function print(s: string): void;
declare const globalThis: any;
const day = setup();
globalThis.step = async () => {
  await advance(day, CYCLE_MS);
  day.gateway.debug.clear();
  day.gateway.evse.clear();
  gc();
  print(JSON.stringify({ t: day.clock.now(), problems: day.problems, answers: day.answers, replies: day.mqttReplies, published: day.published, cycles: day.cycles, wh: Math.round(day.energyWh), state: day.station.controller.state, writes: { ...day.controllerStorage.writes, ...day.gatewayStorage.writes } }));
};
gc();
`,
    );
    const bundle = join(dir, 'entry.mjs');
    await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', outfile: bundle, logLevel: 'warning' });
    const xsnap = buildXsnap();
    let snap = join(dir, 's0.snap');
    execFileSync(xsnap, ['-m', bundle, '-w', snap], { stdio: ['ignore', 'pipe', 'inherit'] });
    const samples: { slots: number; chunkBytes: number }[] = [];
    const reports: CycleReport[] = [];
    for (let c = 1; c <= CYCLES; c++) {
      const next = join(dir, `s${c}.snap`);
      const out = execFileSync(xsnap, ['-r', snap, '-e', 'step()', '-w', next], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      reports.push(JSON.parse(out.trim().split('\n').pop()!) as CycleReport);
      rmSync(snap);
      snap = next;
      samples.push(live(xsnap, snap));
    }
    const last = reports[CYCLES - 1];
    // The day happened: 24 h, a session per cycle with its energy, every answer as expected, MQTT alive.
    expect(last.t).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(last.cycles).toBe(CYCLES);
    expect(last.problems).toEqual([]);
    expect(last.answers).toBeGreaterThan(CYCLES * 180);
    expect(last.replies).toBe(CYCLES * 18);
    expect(last.wh).toBeGreaterThan(CYCLES * 2000); // 20 min at 16–32 A a cycle, at least
    expect(last.state).toBe(1);
    // Flat: from the second sample on.
    const base = samples[1];
    const lines = samples.map((s, i) => `  after ${(i + 1) * 3} h: ${s.slots} slots, ${s.chunkBytes} chunk bytes`);
    console.log(`soak on XS, live heap after each 3 h cycle (gc'd snapshot):\n${lines.join('\n')}`);
    for (const s of samples.slice(2)) {
      expect(s.slots - base.slots).toBeLessThanOrEqual(8);
      expect(s.chunkBytes - base.chunkBytes).toBeLessThanOrEqual(128);
    }
    // Storage writes in the day, for the flash-wear budget (docs/security.md).
    const w = last.writes;
    console.log(`soak: storage writes in 24 h: ${Object.entries(w).map(([k, v]) => `${k} ${v.count} (≤ ${v.bytes} B)`).join(', ')}`);
    // The controller's record is written at most once a minute of charging, plus once per session end.
    expect(w.controller.count).toBeLessThanOrEqual(CYCLES * (30 + 2));
  }, 600_000);
});

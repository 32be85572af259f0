// `npm run energy-sim -- <scenario> [options]`: replays a recorded day through
// divert and the shaper (modules/energy/replay.ts) and writes one CSV line per
// reading, then a summary line. Translation only: files and flags in, text out.
//
//   <scenario>            a name from data/energy/scenarios.json, or a CSV path
//   --kind solar|grid_ie|load   what the value column holds (a path defaults to solar)
//   --column N            the value column (1); --time-column N (0); --voltage-column N; --kw
//   --config JSON         OpenEVSE config keys, e.g. '{"divert_PV_ratio":0.5,"current_shaper_max_pwr":8000}'
//   --out FILE            per-tick CSV to FILE (default: stdout); the summary goes to stderr
//   --summary             only the summary line (to stdout)

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSeries, SeriesError } from '../../modules/energy/series';
import { replay, summaryLine, tickLine, TICK_HEADER, type InputKind, type ReplayOptions } from '../../modules/energy/replay';
import { divertSettings, shaperSettings } from '../../modules/energy/settings';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'energy');

interface Preset {
  file: string;
  kind: InputKind;
  column?: number;
  voltageColumn?: number;
  kw?: boolean;
  config?: Record<string, unknown>;
}

export interface EnergySimArgs {
  scenario: string;
  kind?: InputKind;
  column?: number;
  timeColumn?: number;
  voltageColumn?: number;
  kw?: boolean;
  config: Record<string, unknown>;
  out?: string;
  summaryOnly: boolean;
}

function fail(msg: string): never {
  throw new Error(msg);
}

export function parseArgs(argv: string[]): EnergySimArgs {
  const a: EnergySimArgs = { scenario: '', config: {}, summaryOnly: false };
  const int = (v: string | undefined, flag: string) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : fail(`${flag} needs a column number`));
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === '--kind') {
      const k = argv[++i];
      if (k !== 'solar' && k !== 'grid_ie' && k !== 'load') fail('--kind must be solar, grid_ie or load');
      a.kind = k;
    } else if (f === '--column') a.column = int(argv[++i], f);
    else if (f === '--time-column') a.timeColumn = int(argv[++i], f);
    else if (f === '--voltage-column') a.voltageColumn = int(argv[++i], f);
    else if (f === '--kw') a.kw = true;
    else if (f === '--summary') a.summaryOnly = true;
    else if (f === '--out') a.out = argv[++i] ?? fail('--out needs a file');
    else if (f === '--config') {
      let doc: unknown;
      try {
        doc = JSON.parse(argv[++i] ?? '');
      } catch {
        fail('--config needs a JSON object');
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('--config needs a JSON object');
      a.config = doc as Record<string, unknown>;
    } else if (f.startsWith('--')) fail(`unknown option ${f}`);
    else if (a.scenario) fail(`one scenario only (got ${a.scenario} and ${f})`);
    else a.scenario = f;
  }
  if (!a.scenario) fail('usage: npm run energy-sim -- <scenario|file.csv> [--kind solar|grid_ie|load] [--column N] [--config JSON] [--out FILE]');
  return a;
}

/** Runs one replay; returns the tick CSV and the summary line. */
export function run(args: EnergySimArgs): { csv: string; summary: string } {
  const presets = JSON.parse(readFileSync(join(DATA, 'scenarios.json'), 'utf8')) as Record<string, Preset>;
  const preset: Preset = presets[args.scenario] ?? { file: resolve(args.scenario), kind: 'solar' };
  const file = preset.file.startsWith('/') ? preset.file : join(DATA, preset.file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    fail(`no scenario named ${args.scenario} and no file ${file} (names: ${Object.keys(presets).join(', ')})`);
  }
  const samples = parseSeries(text, {
    timeColumn: args.timeColumn ?? 0,
    valueColumn: args.column ?? preset.column ?? 1,
    voltageColumn: args.voltageColumn ?? preset.voltageColumn,
    kw: args.kw ?? preset.kw,
  });
  const config = { ...preset.config, ...args.config };
  const get = (k: string) => config[k];
  const kind = args.kind ?? preset.kind;
  const options: ReplayOptions = {
    kind,
    samples,
    divert: { ...divertSettings(get), type: kind === 'grid_ie' ? 1 : 0, ...(typeof config.divert_enabled === 'boolean' ? { enabled: config.divert_enabled } : {}) },
    shaper: { ...shaperSettings(get), ...(typeof config.current_shaper_enabled === 'boolean' ? { enabled: config.current_shaper_enabled } : {}) },
  };
  const lines = args.summaryOnly ? [] : [TICK_HEADER];
  const summary = replay(options, args.summaryOnly ? undefined : (t) => lines.push(tickLine(t)));
  return { csv: lines.length ? lines.join('\n') + '\n' : '', summary: summaryLine(summary) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const { csv, summary } = run(args);
    if (args.summaryOnly) process.stdout.write(summary + '\n');
    else {
      if (args.out) writeFileSync(args.out, csv);
      else process.stdout.write(csv);
      process.stderr.write(summary + '\n');
    }
  } catch (e) {
    process.stderr.write(`energy-sim: ${e instanceof SeriesError ? e.message : (e as Error).message}\n`);
    process.exit(2);
  }
}

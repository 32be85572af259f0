// Energy history (OpenEVSE energy_meter.cpp, energy_logger, event_log):
// `total_day`, `total_week`, `total_month`, `total_year` (kWh) and
// `total_switches` in /status; `/energy/raw|daily|weekly|monthly|annual` and
// `/logs`, `/logs/{block}` (the last 32 state changes). Energy is integrated
// each second while charging from the power the gateway reports (V × A, as
// OpenEVSE does). Flash writes are bounded: the counters are stored at most
// every 5 minutes while charging (OpenEVSE's SAVE_INTERVAL), when a period
// rolls over, when a session ends and when the gateway stops: at most 12
// writes an hour, and a power cut loses at most 5 minutes of counting.

import type { TimerId } from '../../ports';
import { STATE_CHARGING } from '../evse-snapshot';
import type { Feature, FeatureContext } from '../feature';
import { addEnergy, emptyEnergy, parseEnergy, periodOf, rotate, type EnergyData, type Entry } from '../energy-history';
import { answer, msg } from '../http-answer';
import { isoTime } from '../status';
import { minutesEast } from '../time-zone';

export const SAVE_INTERVAL_MS = 5 * 60 * 1000;
const STORAGE_KEY = 'energy';
const LOG_SIZE = 32;

interface LogEntry {
  time: string;
  type: string;
  state: number;
  status: string;
  pilot: number;
  energy: number;
  elapsed: number;
}

export function energyFeature(ctx: FeatureContext): Feature {
  let data: EnergyData | undefined;
  let dirty = false;
  let lastSave = 0;
  let timer: TimerId | undefined;
  let lastStatus = '';
  let lastState = 0;
  const log: LogEntry[] = [];
  let off: (() => void) | undefined;

  const period = () => {
    const wall = ctx.clock.wall();
    return periodOf(wall, minutesEast(String(ctx.config('time_zone') ?? ''), wall));
  };
  const save = () => {
    if (!data || !dirty) return;
    ctx.storage.write(STORAGE_KEY, JSON.stringify(data));
    dirty = false;
    lastSave = ctx.clock.now();
  };
  const round = (kwh: number) => Math.round(kwh * 1000) / 1000;

  const tick = () => {
    const d = data!;
    if (rotate(d, period())) {
      dirty = true;
      save();
      ctx.telemetry.update();
    }
    const s = ctx.snapshot();
    if (s.state !== STATE_CHARGING) return;
    // W × 1 s → kWh
    addEnergy(d, (((s.amp / 1000) * ctx.voltage()) / 3600) / 1000);
    dirty = true;
    if (ctx.clock.now() - lastSave >= SAVE_INTERVAL_MS) save();
  };

  const history = (list: Entry[], current: number, now: string, key: string) =>
    answer(200, [...list, [now, round(current)] as Entry].map(([p, kwh]) => ({ [key]: p, energy: kwh })));

  return {
    name: 'energy',
    status: [
      {
        fields: () => ({
          total_day: data ? round(data.day) : 0,
          total_week: data ? round(data.week) : 0,
          total_month: data ? round(data.month) : 0,
          total_year: data ? round(data.year) : 0,
          total_switches: data ? data.switches : 0,
        }),
      },
    ],
    start() {
      const now = period();
      data = parseEnergy(ctx.storage.read(STORAGE_KEY)) ?? emptyEnergy(now);
      lastSave = ctx.clock.now();
      off = ctx.telemetry.subscribe((f) => {
        if (typeof f.status === 'string' && f.status !== lastStatus) {
          if (lastStatus !== '') {
            data!.switches++;
            dirty = true;
          }
          lastStatus = f.status;
        }
        if (typeof f.state === 'number' && f.state !== lastState) {
          lastState = f.state;
          const s = ctx.snapshot();
          log.push({ time: isoTime(ctx.clock.wall()), type: 'state', state: f.state, status: lastStatus, pilot: s.pilot, energy: Math.round(s.wattsec / 3600), elapsed: s.elapsed });
          if (log.length > LOG_SIZE) log.shift();
        }
      });
      timer = ctx.timers.repeat(tick, 1000);
    },
    stop() {
      if (timer !== undefined) ctx.timers.clear(timer);
      timer = undefined;
      off?.();
      save();
    },
    sessionEnded() {
      save();
    },
    routes: [
      {
        path: '/energy/raw',
        methods: ['GET'],
        handle: () => answer(200, data ? { period: data.period, total_day: round(data.day), total_week: round(data.week), total_month: round(data.month), total_year: round(data.year), total_switches: data.switches } : {}),
      },
      { path: '/energy/daily', methods: ['GET'], handle: () => history(data!.daily, data!.day, data!.period.day, 'date') },
      { path: '/energy/weekly', methods: ['GET'], handle: () => history(data!.weekly, data!.week, data!.period.week, 'week') },
      { path: '/energy/monthly', methods: ['GET'], handle: () => history(data!.monthly, data!.month, data!.period.month, 'month') },
      { path: '/energy/annual', methods: ['GET'], handle: () => history(data!.annual, data!.year, data!.period.year, 'year') },
      { path: '/logs', methods: ['GET'], handle: () => answer(200, { min: 1, max: 1 }) },
      {
        path: '/logs/{block}',
        methods: ['GET'],
        handle: (_req, params) => (params.block === '1' ? answer(200, log) : msg(404, 'Not found')),
      },
    ],
  };
}

// Energy history (OpenEVSE energy_meter.cpp, energy_logger, event_log):
// `total_day`, `total_week`, `total_month`, `total_year` (kWh) and
// `total_switches` in /status; `/energy/raw|daily|weekly|monthly|annual` and
// `/logs`, `/logs/{block}` (the last 32 state changes). Energy is integrated
// each second while charging from the power the gateway reports (V × A, as
// OpenEVSE does). Flash writes are bounded: the counters are stored at most
// every 5 minutes while charging (OpenEVSE's SAVE_INTERVAL), when a period
// rolls over, when a session ends and when the gateway stops: at most 12
// writes an hour, and a power cut loses at most 5 minutes of counting.
// The counters are a document of their own (under 200 bytes: one atomic
// write on the device's NVS, hosts/moddable/storage.ts); the finished periods
// (under 2 KB) are written only when a period rolls over, before the counters,
// so a power cut between the two neither loses a period nor counts it twice.
//
// Lean on the device: one object; the finished periods stay in storage (read
// when a period rolls over or /energy/* asks: at most 56 entries the gateway
// does not hold), the log is a ring of numbers made at the first entry, and
// the routes are parts by index (feature-parts.ts).

import type { HttpRequest, HttpResponse, TimerId } from '../../ports';
import { STATE_CHARGING } from '../evse-snapshot';
import type { Feature, FeatureContext, StatusSource } from '../feature';
import { declaredFeature, type Declaration, type RouteOwner, type RouteSpec } from '../feature-parts';
import { addEnergy, emptyEnergy, parseEnergy, parseHistory, periodOf, rotate, type EnergyData, type EnergyHistory, type Entry, type Period } from '../energy-history';
import type { Fragment } from '../telemetry';
import { answer, msg } from '../http-answer';
import { isoTime, type Json } from '../status';
import { minutesEast } from '../time-zone';

export const SAVE_INTERVAL_MS = 5 * 60 * 1000;
/** The counters, saved every 5 minutes while charging. */
const STORAGE_KEY = 'energy';
/** The finished periods, saved when one rolls over. */
const HISTORY_KEY = 'energy-hist';
const LOG_SIZE = 32;
/** Numbers a log entry holds in the ring: wall ms, state, status (1 active, 0 disabled), pilot, Wh, elapsed s. */
const LOG_FIELDS = 6;
const DECLARATION: Declaration = {
  name: 'energy',
  // `/energy/raw|daily|weekly|monthly|annual` is one route (one part on the device).
  routes: [
    { path: '/energy/{kind}', methods: ['GET'] },
    { path: '/logs', methods: ['GET'] },
    { path: '/logs/{block}', methods: ['GET'] },
  ],
  status: true,
};
/** Per history route: the list, the counter, and the name clients read the period by. */
const HISTORY: Readonly<Record<string, readonly ['daily' | 'weekly' | 'monthly' | 'annual', 'day' | 'week' | 'month' | 'year', string]>> = {
  daily: ['daily', 'day', 'date'],
  weekly: ['weekly', 'week', 'week'],
  monthly: ['monthly', 'month', 'month'],
  annual: ['annual', 'year', 'year'],
};

function round(kwh: number): number {
  return Math.round(kwh * 1000) / 1000;
}

function historyOf(d: EnergyHistory): EnergyHistory {
  return { v: 1, daily: d.daily, weekly: d.weekly, monthly: d.monthly, annual: d.annual };
}

function samePeriod(a: Period, b: Period): boolean {
  return a.day === b.day && a.week === b.week && a.month === b.month && a.year === b.year;
}

export class EnergyFeature extends declaredFeature(DECLARATION) implements StatusSource, RouteOwner {
  /** The counters; the history lists are kept empty here (they live in storage). */
  #data: EnergyData | undefined;
  #dirty = false;
  #lastSave = 0;
  #timer: TimerId | undefined;
  #off: (() => void) | undefined;
  #lastStatus = '';
  #lastState = 0;
  /** The state-change log, LOG_SIZE entries of LOG_FIELDS numbers, oldest first from #logAt. */
  #log: Float64Array | undefined;
  #logCount = 0;
  #logAt = 0;

  /** Written into the status document when given: no object a /status or telemetry update. */
  fields(into: Record<string, Json> = {}): Record<string, Json> {
    const d = this.#data;
    into.total_day = d ? round(d.day) : 0;
    into.total_week = d ? round(d.week) : 0;
    into.total_month = d ? round(d.month) : 0;
    into.total_year = d ? round(d.year) : 0;
    into.total_switches = d ? d.switches : 0;
    return into;
  }

  start(): void {
    const ctx = this.ctx;
    const d = this.#stored();
    // A document from before the history had a key of its own: moved there once, before the
    // counters' next write leaves the lists out.
    const legacy = d.daily.length + d.weekly.length + d.monthly.length + d.annual.length > 0;
    if (legacy && ctx.storage.read(HISTORY_KEY) === undefined) ctx.storage.write(HISTORY_KEY, JSON.stringify(historyOf(d)));
    d.daily = d.weekly = d.monthly = d.annual = [];
    this.#data = d;
    this.#lastSave = ctx.clock.now();
    this.#off = ctx.telemetry.subscribe((f) => this.#fragment(f));
    this.#timer = ctx.timers.repeat(() => this.#tick(), 1000);
  }
  stop(): void {
    if (this.#timer !== undefined) this.ctx.timers.clear(this.#timer);
    this.#timer = undefined;
    this.#off?.();
    this.#save();
  }
  sessionEnded(): void {
    // On a turn of its own: this is called deep in a RAPI notification, and a save reads,
    // parses and writes the stored document (the ESP32 profile's stack peak, docs/moddable.md).
    this.ctx.timers.set(() => this.#save(), 0);
  }

  /** `/energy/{kind}` has `raw` and the HISTORY kinds only, `/logs/{block}` block 1 only. */
  exists(spec: RouteSpec, params: Record<string, string>): boolean {
    if (spec.path === '/logs/{block}') return params.block === '1';
    return spec.path !== '/energy/{kind}' || params.kind === 'raw' || Object.prototype.hasOwnProperty.call(HISTORY, params.kind);
  }

  route(spec: RouteSpec, _req: HttpRequest, params: Record<string, string>): HttpResponse {
    if (!this.exists(spec, params)) return msg(404, 'Not found');
    if (spec.path === '/logs/{block}') return answer(200, this.#logJson());
    if (spec.path === '/logs') return answer(200, { min: 1, max: 1 });
    const d = this.#data;
    const kind = params.kind;
    if (kind === 'raw') return answer(200, d ? { period: { ...d.period }, ...this.fields() } : {});
    if (!d) return answer(200, []);
    const [list, counter, key] = HISTORY[kind];
    const out: Record<string, Json>[] = [];
    for (const [p, kwh] of this.#history()[list] as Entry[]) out.push({ [key]: p, energy: kwh });
    out.push({ [key]: d.period[counter], energy: round(d[counter]) });
    return answer(200, out);
  }

  #period(): Period {
    const ctx = this.ctx;
    const wall = ctx.clock.wall();
    return periodOf(wall, minutesEast(String(ctx.config('time_zone') ?? ''), wall));
  }

  /** The counters as last saved (with the lists of a document from before HISTORY_KEY), or empty ones. */
  #stored(): EnergyData {
    return parseEnergy(this.ctx.storage.read(STORAGE_KEY)) ?? emptyEnergy(this.#period());
  }

  /** The finished periods as stored (empty when none are). */
  #history(): EnergyHistory {
    return parseHistory(this.ctx.storage.read(HISTORY_KEY)) ?? { v: 1, daily: [], weekly: [], monthly: [], annual: [] };
  }

  /** Stores the counters; when `now` is a new period, the finished ones go into the history first. */
  #write(now?: Period): boolean {
    const d = this.#data!;
    const storage = this.ctx.storage;
    let moved = false;
    if (now) {
      const h = this.#history();
      const doc: EnergyData = { ...d, daily: h.daily, weekly: h.weekly, monthly: h.monthly, annual: h.annual };
      moved = rotate(doc, now);
      // History first: cut off before the counters, they roll over again at the next start
      // and rotate() does not add a period that is already there.
      if (moved) storage.write(HISTORY_KEY, JSON.stringify(historyOf(doc)));
      d.period = doc.period;
      d.day = doc.day;
      d.week = doc.week;
      d.month = doc.month;
      d.year = doc.year;
    }
    storage.write(STORAGE_KEY, JSON.stringify(d));
    this.#dirty = false;
    this.#lastSave = this.ctx.clock.now();
    return moved;
  }

  #save(): void {
    if (this.#data && this.#dirty) this.#write();
  }

  #tick(): void {
    const ctx = this.ctx;
    const d = this.#data!;
    const now = this.#period();
    if (!samePeriod(d.period, now)) {
      // A period rolled over: a count moved into the history (or a clock was set: nothing to keep).
      const counted = d.day > 0 || d.week > 0 || d.month > 0 || d.year > 0;
      if (counted || this.#dirty) this.#write(now);
      else d.period = now;
      ctx.telemetry.update();
    }
    const s = ctx.snapshot();
    if (s.state !== STATE_CHARGING) return;
    // W × 1 s → kWh
    addEnergy(d, (((s.amp / 1000) * ctx.voltage()) / 3600) / 1000);
    this.#dirty = true;
    if (ctx.clock.now() - this.#lastSave >= SAVE_INTERVAL_MS) this.#save();
  }

  #fragment(f: Fragment): void {
    const d = this.#data!;
    if (typeof f.status === 'string' && f.status !== this.#lastStatus) {
      if (this.#lastStatus !== '') {
        d.switches++;
        this.#dirty = true;
      }
      this.#lastStatus = f.status;
    }
    if (typeof f.state === 'number' && f.state !== this.#lastState) {
      this.#lastState = f.state;
      const s = this.ctx.snapshot();
      const log = (this.#log ??= new Float64Array(LOG_SIZE * LOG_FIELDS));
      const at = ((this.#logAt + this.#logCount) % LOG_SIZE) * LOG_FIELDS;
      log[at] = this.ctx.clock.wall();
      log[at + 1] = f.state;
      log[at + 2] = this.#lastStatus === 'active' ? 1 : 0;
      log[at + 3] = s.pilot;
      log[at + 4] = Math.round(s.wattsec / 3600);
      log[at + 5] = s.elapsed;
      if (this.#logCount < LOG_SIZE) this.#logCount++;
      else this.#logAt = (this.#logAt + 1) % LOG_SIZE;
    }
  }

  #logJson(): Record<string, Json>[] {
    const out: Record<string, Json>[] = [];
    const log = this.#log;
    if (!log) return out;
    for (let i = 0; i < this.#logCount; i++) {
      const at = ((this.#logAt + i) % LOG_SIZE) * LOG_FIELDS;
      out.push({ time: isoTime(log[at]), type: 'state', state: log[at + 1], status: log[at + 2] ? 'active' : 'disabled', pilot: log[at + 3], energy: log[at + 4], elapsed: log[at + 5] });
    }
    return out;
  }
}

export function energyFeature(ctx: FeatureContext): Feature {
  return new EnergyFeature(ctx);
}

// The simulation-control HTTP API: the hand on the simulated EV and on the
// fault injectors, for the dashboard's simulation panel and for curl. It is a
// portable router for `/sim/...` paths only. Simulation hosts put it in front
// of the charger's own router (`withSimControl`); device builds never import
// it, so a real charger has no way to fake a plug or a fault.
//
//   GET    /sim/status            the EV, the faults and what the wire shows
//   POST   /sim/plug              plug the EV in
//   POST   /sim/unplug            unplug it
//   POST   /sim/ev                {"plugged"?, "charge"?, "max_current"?, "overdraw"?, "ventilation"?}
//   POST   /sim/fault/NAME        inject a fault (`?value=` or {"value": …} for its size)
//   DELETE /sim/fault/NAME        clear it (also POST /sim/fault/NAME/clear)
//   POST   /sim/clear             clear every fault
//   POST   /sim/button            press the front-panel button (`?ms=` how long, default 100)
//   GET    /sim/pilot-log         every change of the current the pilot offers: {"next", "entries": [[wall ms, A], …]}
//                                  (`?since=` the `next` of the last call); load-sharing tests sum these
//
// Every successful call answers with the /sim/status document.

import type { Clock, HttpRequest, HttpResponse } from '../modules/ports';
import type { SimStation } from './station';

/** Ambient temperature when the station has no fitted thermometer reading, tenths of °C. */
export const AMBIENT_TENTHS = 250;

interface FaultSpec {
  /** Unit of the value, when the fault has a size. */
  unit?: string;
  /** Size used when none is given. */
  inject: number | boolean;
  /** The healthy value. */
  healthy: number | boolean;
  /** Accepted range for numeric faults. */
  min?: number;
  max?: number;
  apply(station: SimStation, value: number | boolean): void;
}

/**
 * Every fault the models can produce, as data. Default sizes are chosen to
 * trip the controller: 30 mA is over a CCID20's 20 mA, 75.0 °C is over
 * OpenEVSE's 71.0 °C panic threshold, 10 A of overdraw is over the 5 A margin.
 */
export const FAULTS: Readonly<Record<string, FaultSpec>> = Object.freeze({
  gfci: { unit: 'mA', inject: 30, healthy: 0, min: 0, max: 1000, apply: (s, v) => s.gfciLeak(v as number) },
  gfci_broken: { inject: true, healthy: false, apply: (s, v) => s.breakGfci(v as boolean) },
  ground: { inject: true, healthy: false, apply: (s, v) => s.loseGround(v as boolean) },
  relay_weld: { inject: true, healthy: false, apply: (s, v) => s.weldRelay(v as boolean) },
  relay_open: {
    inject: true,
    healthy: false,
    apply: (s, v) => {
      s.mains.openCircuit = v as boolean;
      s.mains.onChange?.();
    },
  },
  temperature: { unit: '0.1 °C', inject: 750, healthy: AMBIENT_TENTHS, min: -400, max: 2000, apply: (s, v) => s.setTemperature(v as number) },
  diode: { inject: true, healthy: false, apply: (s, v) => s.shortDiode(v as boolean) },
  pilot_short: { inject: true, healthy: false, apply: (s, v) => s.shortPilot(v as boolean) },
  vent: {
    inject: true,
    healthy: false,
    apply: (s, v) => {
      s.ev.ventilation = v as boolean;
    },
  },
  overdraw: {
    unit: 'A',
    inject: 10,
    healthy: 0,
    min: 0,
    max: 80,
    apply: (s, v) => {
      s.ev.overdraw = v as number;
    },
  },
});

const HEADERS: Record<string, string> = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  'Access-Control-Allow-Origin': '*',
};

function reply(status: number, body: unknown): HttpResponse {
  return { status, headers: { ...HEADERS }, body: JSON.stringify(body) };
}

function problem(status: number, message: string): HttpResponse {
  return reply(status, { msg: message });
}

function parseBody(body: string): Record<string, unknown> | undefined {
  if (body.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isInteger(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

export class SimControlApi {
  readonly #station: SimStation;
  /** Values the models take but do not report back: kept here, the API being their only writer. */
  #values: Record<string, number | boolean> = {};
  /** Healthy values; the temperature's is the station's own ambient. */
  #healthy: Record<string, number | boolean> = {};
  #charge = true;
  /** Pilot offer changes, [wall ms, A]; `#logBase` is the index of the first one kept. */
  readonly #log: [number, number][] = [];
  #logBase = 0;

  constructor(station: SimStation, options: { clock?: Clock } = {}) {
    this.#station = station;
    const clock = options.clock;
    if (clock) {
      this.#log.push([clock.wall(), station.pilot.offer]);
      station.pilot.onOffer = (amps) => {
        this.#log.push([clock.wall(), amps]);
        if (this.#log.length > 20000) {
          this.#log.shift();
          this.#logBase++;
        }
      };
    }
    for (const name of Object.keys(FAULTS)) this.#healthy[name] = FAULTS[name].healthy;
    this.#healthy.temperature = station.thermometers.readings.find((t) => t !== null) ?? AMBIENT_TENTHS;
    this.#values = { ...this.#healthy };
  }

  /** The /sim/status document. */
  status(): Record<string, unknown> {
    const s = this.#station;
    const faults: Record<string, { active: boolean; value: number | boolean; unit?: string }> = {};
    for (const name of Object.keys(FAULTS)) {
      const spec = FAULTS[name];
      const value = this.#value(name);
      const active = value !== this.#healthy[name];
      faults[name] = spec.unit ? { active, value, unit: spec.unit } : { active, value };
    }
    const wire = s.pilot.read();
    return {
      simulated: true,
      ev: {
        plugged: s.ev.plugged,
        charge: this.#charge,
        max_current: s.ev.maxCurrent,
        overdraw: s.ev.overdraw,
        ventilation: s.ev.ventilation,
      },
      faults,
      // Pilot voltages as the controller's ADC sees them, volts, 0.1 V.
      wire: { high: Math.round(wire.high * 10) / 10, low: Math.round(wire.low * 10) / 10 },
      relay: s.mains.energized,
      // A the pilot offers (0 without PWM).
      offer: s.pilot.offer,
      // Amps flowing to the EV, 0.1 A.
      draw: s.mains.energized ? Math.round(s.ev.draw(s.pilot.generator) * 10) / 10 : 0,
      temperatures: s.thermometers.readings.slice(),
    };
  }

  /** Answers a /sim request; undefined for every other path, which belongs to the charger. */
  handle(req: HttpRequest): HttpResponse | undefined {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    if (path !== '/sim' && !path.startsWith('/sim/')) return undefined;
    const method = req.method.toUpperCase();
    if (method === 'OPTIONS') {
      return { status: 204, headers: { ...HEADERS, 'Access-Control-Allow-Methods': 'GET, POST, DELETE', 'Access-Control-Allow-Headers': '*' }, body: '' };
    }
    const parts = path.split('/').slice(2);
    const [what, name, verb] = parts;
    if (what === undefined || what === 'status') {
      if (parts.length > 1) return problem(404, 'Not found');
      if (method !== 'GET' && method !== 'HEAD') return problem(405, 'Method not allowed');
      return reply(200, this.status());
    }
    if (what === 'pilot-log') {
      if (parts.length > 1) return problem(404, 'Not found');
      if (method !== 'GET' && method !== 'HEAD') return problem(405, 'Method not allowed');
      const since = req.query.since === undefined ? 0 : Number(req.query.since);
      if (!Number.isInteger(since) || since < 0) return problem(400, 'since must be an integer ≥ 0');
      const from = Math.max(0, since - this.#logBase);
      return reply(200, { next: this.#logBase + this.#log.length, first: this.#logBase, entries: this.#log.slice(from) });
    }
    if (what === 'fault' && name !== undefined && parts.length <= 3) {
      if (!Object.prototype.hasOwnProperty.call(FAULTS, name)) return problem(404, `no fault "${name}"; faults: ${Object.keys(FAULTS).join(', ')}`);
      if (verb === 'clear' ? method === 'POST' : verb === undefined && method === 'DELETE') return this.#set(name, this.#healthy[name]);
      if (verb !== undefined || method !== 'POST') return problem(405, 'Method not allowed');
      const body = parseBody(req.body);
      if (!body) return problem(400, 'Could not parse JSON');
      return this.#inject(name, body.value ?? req.query.value);
    }
    if (parts.length > 1) return problem(404, 'Not found');
    if (method !== 'POST') return problem(405, 'Method not allowed');
    switch (what) {
      case 'plug':
        this.#station.ev.plug();
        return reply(200, this.status());
      case 'unplug':
        this.#station.ev.unplug();
        return reply(200, this.status());
      case 'clear':
        for (const f of Object.keys(FAULTS)) this.#apply(f, this.#healthy[f]);
        return reply(200, this.status());
      case 'button': {
        const ms = req.query.ms === undefined ? 100 : /^\d{1,5}$/.test(req.query.ms) ? Number(req.query.ms) : NaN;
        if (!(ms >= 1 && ms <= 20000)) return problem(400, 'ms must be an integer from 1 to 20000');
        this.#station.pressButton(ms);
        return reply(200, this.status());
      }
      case 'ev': {
        const body = parseBody(req.body);
        if (!body) return problem(400, 'Could not parse JSON');
        return this.#ev(body);
      }
    }
    return problem(404, 'Not found');
  }

  #value(name: string): number | boolean {
    return this.#values[name];
  }

  #apply(name: string, value: number | boolean): void {
    FAULTS[name].apply(this.#station, value);
    this.#values[name] = value;
  }

  #set(name: string, value: number | boolean): HttpResponse {
    this.#apply(name, value);
    return reply(200, this.status());
  }

  #inject(name: string, given: unknown): HttpResponse {
    const spec = FAULTS[name];
    if (given === undefined || given === '') return this.#set(name, spec.inject);
    if (typeof spec.healthy === 'boolean') {
      if (given === true || given === 'true' || given === '1' || given === 1) return this.#set(name, true);
      if (given === false || given === 'false' || given === '0' || given === 0) return this.#set(name, false);
      return problem(400, `${name}: value must be true or false`);
    }
    const n = typeof given === 'string' && /^-?\d+$/.test(given) ? Number(given) : given;
    if (!isInteger(n, spec.min ?? 0, spec.max ?? 0)) return problem(400, `${name}: value must be an integer from ${spec.min} to ${spec.max} (${spec.unit})`);
    return this.#set(name, n);
  }

  #ev(body: Record<string, unknown>): HttpResponse {
    const ev = this.#station.ev;
    // Validate everything before changing anything, so a bad field changes nothing.
    const { plugged, charge, max_current, overdraw, ventilation } = body;
    for (const [k, v] of [['plugged', plugged], ['charge', charge], ['ventilation', ventilation]] as const) {
      if (v !== undefined && typeof v !== 'boolean') return problem(400, `${k} must be true or false`);
    }
    if (max_current !== undefined && !isInteger(max_current, 0, 80)) return problem(400, 'max_current must be an integer from 0 to 80 (A)');
    if (overdraw !== undefined && !isInteger(overdraw, 0, 80)) return problem(400, 'overdraw must be an integer from 0 to 80 (A)');
    if (typeof max_current === 'number') ev.maxCurrent = max_current;
    if (typeof overdraw === 'number') this.#apply('overdraw', overdraw);
    if (typeof ventilation === 'boolean') this.#apply('vent', ventilation);
    if (typeof charge === 'boolean') {
      ev.requestCharge(charge);
      this.#charge = charge;
    }
    if (plugged === true) ev.plug();
    if (plugged === false) ev.unplug();
    return reply(200, this.status());
  }
}

/**
 * The charger's router with the simulation API in front of it. `guard` is
 * the charger's own check (credentials, cross-site rule: Gateway.guard), run
 * before any /sim request other than a preflight, so the simulation is
 * behind the same password as the charger.
 */
export function withSimControl(
  api: SimControlApi,
  next: (req: HttpRequest) => Promise<HttpResponse>,
  guard?: (req: HttpRequest) => HttpResponse | undefined,
): (req: HttpRequest) => Promise<HttpResponse> {
  return (req) => {
    const path = req.path;
    if (guard && (path === '/sim' || path.startsWith('/sim/')) && req.method.toUpperCase() !== 'OPTIONS') {
      const refused = guard(req);
      if (refused) return Promise.resolve(refused);
    }
    const mine = api.handle(req);
    return mine ? Promise.resolve(mine) : next(req);
  };
}

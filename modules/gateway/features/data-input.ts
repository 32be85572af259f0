// Sensor data pushed to the charger (OpenEVSE web_server.cpp handleStatusPost
// and the MQTT input topics): `POST /status` with any of voltage, solar,
// grid_ie, shaper_live_pwr, battery_level, battery_range, time_to_full_charge,
// vehicle_charge_limit, home_battery_soc, home_battery_power. The readings go
// to the Inputs table (inputs.ts) with the time they arrived, show in /status
// and /ws while fresh, and a new voltage is also handed to the controller
// (`$SV`) so its own energy count uses the mains as measured.
//
// Answers as the firmware gives them: 200 with the posted document echoed
// (plus `vehicle_state_update: 0` when vehicle data was taken); 400
// {"msg":"Could not parse JSON"} for a body that is not a JSON object. Where
// the firmware silently stores a zero for a value of the wrong type, this one
// answers 400 naming the field and stores nothing of that request. Vehicle
// fields are taken only when `vehicle_data_src` is 3 (HTTP), as there.

import type { Feature, FeatureContext, StatusSource, Subscription } from '../feature';
import { declaredFeature, type Declaration, type RouteOwner, type RouteSpec } from '../feature-parts';
import type { HttpRequest, HttpResponse } from '../../ports';
import { INPUTS, checkInput, inputSpec, VOLTAGE_MAX, VOLTAGE_MIN } from '../inputs';
import { answer, msg, objectBody } from '../http-answer';
import { isReply } from '../rapi-client';
import type { Json } from '../status';

/** The inputs /status shows only once they have a value: the vehicle's and the home battery's, in the table's order. */
const SHOWN_WHEN_SET: readonly string[] = INPUTS.filter((s) => s.vehicle || s.name.startsWith('home_battery')).map((s) => s.name);

/** `vehicle_data_src` values (app_config.h). */
export const VehicleDataSource = { None: 0, Tesla: 1, Mqtt: 2, Http: 3 } as const;

/** MQTT input topics: the setting that names the topic, and the input it feeds. */
const TOPICS: readonly { setting: string; input: string; vehicle?: number }[] = [
  { setting: 'mqtt_vrms', input: 'voltage' },
  { setting: 'mqtt_solar', input: 'solar' },
  { setting: 'mqtt_grid_ie', input: 'grid_ie' },
  { setting: 'mqtt_live_pwr', input: 'shaper_live_pwr' },
];

// Topic filters: a wildcard is a whole level, no U+0000 or control characters (config-store.ts topicProblem).
const TOPIC_SPEC = { type: 'topic', max: 128, filter: true, default: '' } as const;

/** The settings this feature adds (the first three input topics are the gateway's own). */
const CONFIG = {
  vehicle_data_src: { type: 'integer', min: 0, max: 3, default: VehicleDataSource.None },
  mqtt_live_pwr: TOPIC_SPEC,
} as const;

const DECLARATION: Declaration = {
  name: 'data-input',
  config: CONFIG,
  routes: [{ path: '/status', methods: ['POST'] }],
};

/**
 * One object on the device (docs/features.md, "Memory on the device"): its own status source for
 * the readings, `InputAges` for their ages, `POST /status` as a part, `InputTopic`s for MQTT.
 */
export class DataInputFeature extends declaredFeature(DECLARATION) implements StatusSource, RouteOwner {
  /** Last voltage written to the controller, mV (0: none, or the controller rebooted). */
  #sentMv = 0;
  /** SHOWN_WHEN_SET's names that have had a reading, in its order; made again when a new name has one (inputs.count). */
  #shown: readonly string[] = [];
  #shownFor = 0;

  override get status(): readonly StatusSource[] {
    return [this, new InputAges(this.ctx)];
  }

  override get subscribe(): readonly Subscription[] {
    return TOPICS.map((t) => new InputTopic(this.ctx, t));
  }

  fields(into?: Record<string, Json>): Record<string, Json> {
    const inputs = this.ctx.inputs;
    // Written into the status document when it is given (no object to merge).
    const out = into ?? {};
    out.solar = inputs.get('solar') ?? 0;
    out.grid_ie = inputs.get('grid_ie') ?? 0;
    out.shaper_live_pwr = inputs.get('shaper_live_pwr') ?? 0;
    // Only the names that have had a reading are asked (none, until a car or a home battery reports).
    const names = this.#shownNames();
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const v = inputs.get(name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  start(): void {
    this.ctx.inputs.onInput((name, r) => {
      if (name === 'voltage') this.#sendVoltage(r.value);
    });
  }

  controllerBooted(): void {
    // $SV is volatile in the controller.
    this.#sentMv = 0;
    const v = this.ctx.inputs.get('voltage');
    if (v !== undefined) this.#sendVoltage(v);
  }

  route(_spec: RouteSpec, req: HttpRequest): HttpResponse {
    const ctx = this.ctx;
    const inputs = ctx.inputs;
    const doc = objectBody(req.body);
    if (!doc) return msg(400, 'Could not parse JSON');
    const vehicleOk = ctx.config('vehicle_data_src') === VehicleDataSource.Http;
    const take: [string, number][] = [];
    for (const key of Object.keys(doc)) {
      const spec = inputSpec(key);
      if (!spec || (spec.vehicle && !vehicleOk)) continue;
      const c = checkInput(spec, doc[key]);
      if (!c.ok) return msg(400, c.error);
      take.push([key, c.value]);
    }
    let vehicle = false;
    for (const [k, v] of take) {
      inputs.set(k, v, 'http');
      if (inputSpec(k)!.vehicle) vehicle = true;
    }
    const echo: Record<string, unknown> = { ...doc };
    if (vehicle) echo.vehicle_state_update = 0;
    ctx.telemetry.update();
    return answer(200, echo);
  }

  #sendVoltage(volts: number): void {
    const mv = Math.round(volts * 1000);
    // The controller computes energy with its own voltage; keep it within a volt of the mains.
    if (Math.abs(mv - this.#sentMv) < 1000) return;
    this.#sentMv = mv;
    void this.ctx.rapi.send('SV', [mv]).then((r) => {
      if (!isReply(r) || !r.ok) this.#sentMv = 0;
    });
  }

  #shownNames(): readonly string[] {
    const inputs = this.ctx.inputs;
    if (inputs.count !== this.#shownFor) {
      this.#shownFor = inputs.count;
      this.#shown = SHOWN_WHEN_SET.filter((n) => inputs.reading(n) !== undefined);
    }
    return this.#shown;
  }
}

/** The readings' ages, in seconds: clock-like, so in the document only. */
class InputAges implements StatusSource {
  readonly #ctx: FeatureContext;

  constructor(ctx: FeatureContext) {
    this.#ctx = ctx;
  }

  get events(): boolean {
    return false;
  }

  fields(into?: Record<string, Json>): Record<string, Json> {
    const inputs = this.#ctx.inputs;
    // Written out, not spread from a mapped array: /status reads this on every request.
    const out = into ?? {};
    const up = this.#ctx.uptime();
    if (inputs.count === 0) {
      // No reading yet: both ages are the uptime.
      out.vehicle_state_update = up;
      out.divert_update = up;
      return out;
    }
    const vehicle = Math.min(
      inputs.age('battery_level') ?? up,
      inputs.age('battery_range') ?? up,
      inputs.age('time_to_full_charge') ?? up,
      inputs.age('vehicle_charge_limit') ?? up,
    );
    out.vehicle_state_update = vehicle;
    out.divert_update = Math.min(inputs.age('solar') ?? up, inputs.age('grid_ie') ?? up);
    return out;
  }
}

export function dataInputFeature(ctx: FeatureContext): Feature {
  return new DataInputFeature(ctx);
}

/** One MQTT input topic; a class so that ten of them cost no closures. */
class InputTopic implements Subscription {
  readonly #ctx: FeatureContext;
  readonly #t: (typeof TOPICS)[number];

  constructor(ctx: FeatureContext, t: (typeof TOPICS)[number]) {
    this.#ctx = ctx;
    this.#t = t;
  }

  topic(): string {
    return String(this.#ctx.config(this.#t.setting) ?? '');
  }

  onMessage(payload: string): void {
    const ctx = this.#ctx;
    const t = this.#t;
    if (t.vehicle !== undefined && ctx.config('vehicle_data_src') !== t.vehicle) return;
    const text = payload.trim();
    const c = checkInput(inputSpec(t.input)!, text === '' ? NaN : Number(text));
    if (!c.ok) return ctx.log(`mqtt: ${ctx.config(t.setting)}: ${c.error}`);
    ctx.inputs.set(t.input, c.value, 'mqtt');
    ctx.telemetry.update();
  }
}

export { VOLTAGE_MIN, VOLTAGE_MAX };

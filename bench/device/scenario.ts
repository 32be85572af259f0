// What one second of the standalone firmware costs on XS, idle and charging,
// in computrons (the engine's deterministic meter), and how it splits per
// module. Bundled and run inside xsnap by bench/node/device.bench.ts, which
// prints the rows; `print` hands results back as JSON lines.

import { Ammeter } from '../../modules/j1772/ammeter';
import { ButtonTimer } from '../../modules/j1772/button';
import { ChargingCurrent } from '../../modules/j1772/charging-current';
import { PilotDebounce } from '../../modules/j1772/debounce';
import { DelayTimer } from '../../modules/j1772/delay-timer';
import { EnergyMeter } from '../../modules/j1772/energy';
import { GfciLevelCheck, GfciSelfTest } from '../../modules/j1772/gfci';
import { GroundCheck } from '../../modules/j1772/ground';
import { Heartbeat } from '../../modules/j1772/heartbeat';
import { SessionLimits } from '../../modules/j1772/limits';
import { CurrentOffer } from '../../modules/j1772/offer';
import { OverCurrentCheck } from '../../modules/j1772/overcurrent';
import { Relay } from '../../modules/j1772/relay';
import { ChargeSession } from '../../modules/j1772/session';
import { SettingsStore } from '../../modules/j1772/settings';
import { StuckRelayCheck } from '../../modules/j1772/stuck-relay';
import { OverTemperatureCheck } from '../../modules/j1772/temperature';
import { CommandProcessor } from '../../modules/j1772/command-processor';
import { EvseController } from '../../modules/j1772/controller';
import { FaultSupervisor, RetryPolicy } from '../../modules/j1772/faults';
import { PeriodicChecks } from '../../modules/j1772/periodic-checks';
import { EvseStateMachine } from '../../modules/j1772/state-machine';
import { PauseControl } from '../../modules/j1772/pause';
import { Arbiter } from '../../modules/gateway/arbiter';
import { ChargeTarget } from '../../modules/gateway/charge-target';
import { ConfigStore } from '../../modules/gateway/config-store';
import { ConsoleBuffer } from '../../modules/gateway/console-buffer';
import { EvseMonitor } from '../../modules/gateway/evse-monitor';
import { Gateway } from '../../modules/gateway/gateway';
import { HttpApi } from '../../modules/gateway/http-api';
import { MqttBridge } from '../../modules/gateway/mqtt-bridge';
import { RapiClient } from '../../modules/gateway/rapi-client';
import { Telemetry } from '../../modules/gateway/telemetry';
import { LinkEnd } from '../../modules/rapi/link';
import { dashboard } from '../../hosts/moddable/dashboard';
import { Firmware, flush, get } from './firmware';
import { Profile } from './profile';
import { CurrentStandIn, PilotStandIn, PowerStandIn } from './stand-ins';

declare function resetMeter(limit: number, index: number): number;
declare function print(s: string): void;

/** Simulated seconds metered per phase. */
const SECONDS = 10;
const STATUS_REQUESTS = 20;

/** Modules, by the classes through which they are entered. */
const MODULES: [string, { prototype: object }, string[]?][] = [
  ['j1772/controller', EvseController],
  ['j1772/state-machine', EvseStateMachine],
  ['j1772/state-machine', PauseControl],
  ['j1772/ammeter', ChargingCurrent],
  ['j1772/ammeter', Ammeter],
  ['j1772/faults', FaultSupervisor],
  ['j1772/faults', RetryPolicy],
  ['j1772/faults', PeriodicChecks],
  ['j1772/gfci', GfciSelfTest],
  ['j1772/gfci', GfciLevelCheck],
  ['j1772/ground', GroundCheck],
  ['j1772/stuck-relay', StuckRelayCheck],
  ['j1772/overcurrent', OverCurrentCheck],
  ['j1772/temperature', OverTemperatureCheck],
  ['j1772/button', ButtonTimer],
  ['j1772/session', ChargeSession],
  ['j1772/energy', EnergyMeter],
  ['j1772/limits', SessionLimits],
  ['j1772/offer', CurrentOffer],
  ['j1772/heartbeat', Heartbeat],
  ['j1772/relay', Relay],
  ['j1772/debounce', PilotDebounce],
  ['j1772/delay-timer', DelayTimer],
  ['j1772/settings', SettingsStore],
  // RAPI bytes in: parsing is charged to the receiving side, with what its frames set off.
  ['j1772/command-processor', CommandProcessor],
  ['rapi/link', LinkEnd],
  ['gateway/rapi-client', RapiClient],
  ['gateway/evse-monitor', EvseMonitor],
  ['gateway/console-buffer', ConsoleBuffer],
  ['gateway/mqtt-bridge', MqttBridge],
  ['gateway/http-api', HttpApi],
  ['gateway/telemetry', Telemetry],
  ['gateway/arbiter', Arbiter],
  ['gateway/charge-target', ChargeTarget],
  ['gateway/config-store', ConfigStore],
  ['gateway/gateway', Gateway],
  ['stand-ins', PilotStandIn],
  ['stand-ins', PowerStandIn],
  ['stand-ins', CurrentStandIn],
];

async function plain(): Promise<void> {
  const fw = new Firmware();
  await fw.boot();
  resetMeter(0, 0);
  await fw.run(SECONDS * 1000);
  const idle = resetMeter(0, 0) / SECONDS;
  await fw.plugAndCharge();
  const published = fw.published;
  resetMeter(0, 0);
  await fw.run(SECONDS * 1000);
  const charging = resetMeter(0, 0) / SECONDS;
  const publishes = (fw.published - published) / SECONDS;
  resetMeter(0, 0);
  for (let i = 0; i < 100; i++) await flush();
  const flushCost = resetMeter(0, 0) / 100;
  fw.flushes = 0;
  resetMeter(0, 0);
  for (let i = 0; i < STATUS_REQUESTS; i++) {
    const r = await fw.http(get('/status'));
    if (r.status !== 200) throw new Error(`GET /status answered ${r.status}`);
  }
  // The bench's own waiting for the answer is not the request's.
  const status = (resetMeter(0, 0) - fw.flushes * flushCost) / STATUS_REQUESTS;
  // GET / on the device host: main.ts's withDashboard answers from the flash resource ahead of the gateway
  // (the Resource module is bench/device/resource-stand-in.ts here); as a browser asks, with gzip.
  const page = get('/');
  page.headers['accept-encoding'] = 'gzip, deflate, br';
  let served = 0;
  resetMeter(0, 0);
  for (let i = 0; i < STATUS_REQUESTS; i++) {
    const r = dashboard(page);
    if (!r) throw new Error('GET / not answered by the dashboard route');
    void Promise.resolve(r);
    served += (r.body as Uint8Array).length;
  }
  const root = resetMeter(0, 0) / STATUS_REQUESTS;
  if (served !== STATUS_REQUESTS * 7641) throw new Error(`GET / served ${served / STATUS_REQUESTS} bytes, not the gzipped page`);
  print(JSON.stringify({ kind: 'plain', idle, charging, status, publishes, root }));
}

async function profiled(): Promise<void> {
  const profile = new Profile('harness');
  profile.calibrate();
  // The controller's listeners are the command processor's ($AT on a change): charged to it, not to whoever emitted
  // (the processor itself is the listener, its onControllerEvent wrapped below with its other methods).
  const addListener = EvseController.prototype.addListener;
  EvseController.prototype.addListener = function (this: EvseController, listener) {
    addListener.call(this, typeof listener === 'function' ? profile.wrap('j1772/command-processor', listener) : listener);
  };
  for (const [name, cls, methods] of MODULES) profile.wrapMethods(cls, name, methods);
  const fw = new Firmware((part, timers) =>
    profile.timers(part === 'controller' ? 'j1772/controller' : part === 'gateway' ? 'gateway/gateway' : part === 'link' ? 'rapi/link' : 'stand-ins', timers),
  );
  // Promise jobs run in the harness's awaits; every one of them is the gateway's (the controller is synchronous).
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      profile.base('harness');
      fw.timers.advance(10);
      profile.base('gateway/gateway');
      await flush();
    }
    profile.base('harness');
  };
  await fw.boot();
  // The awaits themselves, with no job waiting: taken off the gateway's promise jobs below.
  resetMeter(0, 0);
  for (let i = 0; i < 100; i++) await flush();
  const flushCost = resetMeter(0, 0) / 100;
  for (const phase of ['idle', 'charging'] as const) {
    if (phase === 'charging') await fw.plugAndCharge();
    profile.reset();
    await run(SECONDS * 1000);
    const parts = profile.result();
    const steps = (SECONDS * 1000) / 10;
    parts['gateway/gateway'] -= flushCost * steps;
    parts.harness = (parts.harness ?? 0) + flushCost * steps;
    for (const k of Object.keys(parts)) parts[k] /= SECONDS;
    print(JSON.stringify({ kind: 'split', phase, parts }));
  }
}

/**
 * Per function: every method and accessor of the modules' classes metered on
 * its own (its count excludes what it calls through other wrapped functions),
 * with its calls per second. Where to look, not a gated figure: the wrappers
 * around the small getters make the total larger than the plain run's.
 */
async function functions(): Promise<void> {
  const profile = new Profile('harness');
  profile.calibrate();
  for (const [name, cls] of MODULES) profile.wrapEach(cls, `${name} ${(cls as unknown as { name: string }).name}`);
  const fw = new Firmware((part, timers) => profile.timers(`timer ${part}`, timers));
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      profile.base('harness');
      fw.timers.advance(10);
      profile.base('promise jobs');
      await flush();
    }
    profile.base('harness');
  };
  await fw.boot();
  for (const phase of ['idle', 'charging'] as const) {
    if (phase === 'charging') await fw.plugAndCharge();
    profile.reset();
    await run(SECONDS * 1000);
    const parts = profile.result();
    const calls: Record<string, number> = {};
    for (const k of Object.keys(parts)) {
      parts[k] /= SECONDS;
      calls[k] = profile.calls(k) / SECONDS;
    }
    print(JSON.stringify({ kind: 'functions', phase, parts, calls }));
  }
}

/**
 * Where a GET /status goes, charging: the whole request, the document, its
 * JSON, and each status source's fields on their own (docs/performance.md).
 * Not gated: the parts of the gated row.
 */
async function statusParts(): Promise<void> {
  const fw = new Firmware();
  await fw.boot();
  await fw.plugAndCharge();
  const parts: [string, number][] = [];
  const empty = () => {};
  resetMeter(0, 0);
  for (let i = 0; i < STATUS_REQUESTS; i++) empty();
  const loop = resetMeter(0, 0) / STATUS_REQUESTS;
  const meter = (name: string, op: () => unknown) => {
    op();
    resetMeter(0, 0);
    for (let i = 0; i < STATUS_REQUESTS; i++) op();
    parts.push([name, resetMeter(0, 0) / STATUS_REQUESTS - loop]);
  };
  const telemetry = fw.gateway.telemetry;
  meter('the document (every source, merged): Telemetry.document', () => telemetry.document());
  const doc = telemetry.document();
  meter('its JSON: JSON.stringify', () => JSON.stringify(doc));
  for (const f of fw.gateway.features) {
    (f.status ?? []).forEach((s, i) => {
      const n = Object.keys(s.fields()).length;
      meter(`source: ${f.name}${(f.status ?? []).length > 1 ? ` #${i + 1}` : ''} (${n} fields${s.events === false ? ', clock-like' : ''})`, () => s.fields({}));
    });
  }
  meter('a telemetry update that finds nothing moved: Telemetry.update', () => telemetry.update());
  print(JSON.stringify({ kind: 'status', parts }));
}

export async function main(mode: 'plain' | 'profiled' | 'functions' | 'status'): Promise<void> {
  if (mode === 'plain') await plain();
  else if (mode === 'functions') await functions();
  else if (mode === 'status') await statusParts();
  else await profiled();
}

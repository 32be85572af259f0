// The ESP32 memory profile on the real engine: the firmware built by the SDK
// for the Linux simulator with exactly the `esp32/*` creation numbers of
// manifest.json (fixed 78 848-byte chunk heap, fixed 4 928-slot heap, 512-slot
// stack) and instrumentation (`mcconfig -i`), run in mcsim under load in the
// standalone role and in the gateway role (RAPI over a pseudo-terminal to
// `npm start --role controller`), both at once, for EVSE_PROFILE_SECONDS
// (default 120), with OCPP connected in the gateway role (EVSE_PROFILE_OCPP,
// profile-ocpp.ts), and solar divert and the current shaper switched on and off
// with a grid meter's readings over MQTT. Fails if the VM aborts, if the live heap after a full
// collection peaks over 70 % of the slots, or the stack over 80 %; fails at
// once when a role stalls, with what each simulator printed last
// (profile-stall.ts).
//
// The figures it prints are the ones docs/moddable.md quotes.
//
// EVSE_PROFILE_LOG_DIR=<dir> keeps each role's whole output there; with
// EVSE_MEMORY_CENSUS=1 as well it holds a census of the live heap at each new
// peak (what holds the slots, hosts/moddable/simulator/memory.c).
// EVSE_PROFILE_HEAP=<slots> builds with that slot heap instead of the ESP32's.
// The mDNS responder runs in both roles, as on a device; EVSE_PROFILE_MDNS=0 leaves it out (EVSE_MDNS=off).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { startBroker, type Broker } from '../blackbox/broker';
import { ptyPair, runCli, type CliProcess } from '../e2e/processes';
import { freePort } from '../gateway/broker';
import { memoryPeaks, type MemoryPeaks } from './instruments';
import { profileOcpp } from './profile-ocpp';
import { profileWs } from './profile-ws';
import { stallReport, watchLoad, type WatchedRole } from './profile-stall';
import { buildFirmware, esp32Creation, sdkOrSkip, simulatorTurn, startSimulator, startXvfb, type Display, type Simulator } from './sdk';

const SECONDS = Number(process.env.EVSE_PROFILE_SECONDS ?? 120);
/** The mDNS responder in both roles, as on a device; EVSE_PROFILE_MDNS=0: without it. */
const MDNS = process.env.EVSE_PROFILE_MDNS !== '0';
const creation = esp32Creation();
// EVSE_PROFILE_HEAP=<slots>: a smaller slot heap than the ESP32's, to see what a full heap does (percentages are of it).
if (process.env.EVSE_PROFILE_HEAP) creation.heap.initial = Number(process.env.EVSE_PROFILE_HEAP);
const HEAP_LIMIT = 0.7;
/** Each HTTP client's pause between requests, and the MQTT command period, ms. */
const HTTP_PAUSE_MS = 100;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
const VOLTS = 240;
/** Where solar divert and the shaper read the grid (published by the load's MQTT worker). */
const GRID_CONFIG = { mqtt_solar: 'profile/solar', mqtt_live_pwr: 'profile/power', current_shaper_max_pwr: 6000 };
const MQTT_PAUSE_MS = 500;
const STACK_LIMIT = 0.8;

// In `npm test` wherever the SDK is; required where EVSE_REQUIRE_MODDABLE=1 (CI).
const sdk = sdkOrSkip('ESP32 memory profile');

interface Load {
  requests: number;
  failures: string[];
  mqttReplies: number;
  /** When a request last got an answer (for the stall watch). */
  lastAnswer: number;
  /** Set to end the load early (a stall). */
  stop: boolean;
}

function newLoad(): Load {
  return { requests: 0, failures: [], mqttReplies: 0, lastAnswer: Date.now(), stop: false };
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { Connection: 'close', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    // A whole-request timer: req.setTimeout only starts once connected, and a wedged VM's listener leaves the connect pending.
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${url}: no answer in 10 s`)), 10_000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    if (body) req.end(body);
    else req.end();
  });
}

function mosquittoPub(port: number, topic: string, payload?: string): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, 5000);
    const p = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-t', topic, ...(payload === undefined ? ['-n'] : ['-m', payload])], { stdio: 'ignore' });
    p.on('exit', () => resolve());
    p.on('error', () => resolve());
  });
}

/** What a busy household does to a charger: the app polling, Home Assistant, evcc, MQTT commands, the dashboard. */
async function drive(load: Load, url: string, brokerPort: number, simUrl: string, seconds: number): Promise<Load> {
  const config = await fetch(url + '/config', { signal: AbortSignal.timeout(10_000) });
  const topic = ((await config.json()) as { mqtt_topic: string }).mqtt_topic;
  const client = mqtt.connect(`mqtt://127.0.0.1:${brokerPort}`, { connectTimeout: 10_000 });
  client.on('message', (t) => {
    if (t === `${topic}/rapi/out`) load.mqttReplies++;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the test client could not subscribe in 10 s')), 10_000);
    client.on('connect', () => client.subscribe(`${topic}/rapi/out`, () => (clearTimeout(timer), resolve())));
  });
  const steps: [string, () => Promise<number>, number][] = [
    ['GET /status', () => get(url + '/status'), 200],
    ['GET /config', () => get(url + '/config'), 200],
    ['GET /r $GS', () => get(url + '/r?json=1&rapi=%24GS'), 200],
    ['POST /override', () => get(url + '/override', { 'Content-Type': 'application/json' }, 'POST', '{"state":"disabled","charge_current":10}'), 201],
    ['GET /override', () => get(url + '/override'), 200],
    ['DELETE /override', () => get(url + '/override', {}, 'DELETE'), 200],
    ['GET / (dashboard)', () => get(url + '/', { 'Accept-Encoding': 'gzip' }), 200],
    ['POST /sim/unplug', () => get(simUrl + '/sim/unplug', {}, 'POST'), 200],
    ['POST /sim/plug', () => get(simUrl + '/sim/plug', {}, 'POST'), 200],
    // Solar divert and the shaper at work half the time each (the grid readings come over MQTT below).
    ['POST /divertmode eco', () => get(url + '/divertmode', FORM, 'POST', 'divertmode=2'), 200],
    ['POST /shaper on', () => get(url + '/shaper', FORM, 'POST', 'shaper=1'), 200],
    ['GET /status', () => get(url + '/status'), 200],
    ['POST /divertmode normal', () => get(url + '/divertmode', FORM, 'POST', 'divertmode=1'), 200],
    ['POST /shaper off', () => get(url + '/shaper', FORM, 'POST', 'shaper=0'), 200],
  ];
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const worker = async () => {
    while (Date.now() < end && !load.stop) {
      const [name, step, expected] = steps[n++ % steps.length];
      try {
        const status = await step();
        load.requests++;
        load.lastAnswer = Date.now();
        if (status !== expected) load.failures.push(`${name}: ${status}`);
      } catch (e) {
        load.failures.push(`${name}: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, HTTP_PAUSE_MS));
    }
  };
  const mqttWorker = async () => {
    for (let i = 0; Date.now() < end && !load.stop; i++) {
      // A grid meter: 5 to 25 A of sun and the house's live power, on the topics of GRID_CONFIG.
      client.publish('profile/solar', String(VOLTS * (5 + (i % 21))));
      client.publish('profile/power', String(1500 + 100 * (i % 30)));
      await mosquittoPub(brokerPort, `${topic}/rapi/in/${i % 2 ? '$GV' : '$GE'}`, i % 3 ? undefined : '');
      await new Promise((r) => setTimeout(r, MQTT_PAUSE_MS));
    }
  };
  // Two HTTP clients at once (the app and Home Assistant, say, far busier than either) and a stream of RAPI over MQTT.
  await Promise.all([worker(), worker(), mqttWorker()]);
  client.end(true);
  return load;
}

function report(role: string, p: MemoryPeaks, load: Load): string {
  const pct = (v: number, of: number) => `${((100 * v) / of).toFixed(0)} %`;
  return [
    `ESP32 profile, ${role} role, ${SECONDS} s under load (${load.requests} HTTP requests, ${load.mqttReplies} MQTT RAPI replies, ${p.samples} samples, ${p.collections} collections):`,
    `  live heap after GC, peak   ${p.liveSlots} slots = ${pct(p.liveSlots ?? 0, creation.heap.initial)} of ${creation.heap.initial} (limit ${HEAP_LIMIT * 100} %)`,
    `  live chunks after GC, peak ${p.liveChunk} bytes = ${pct(p.liveChunk ?? 0, creation.chunk.initial)} of ${creation.chunk.initial}`,
    `  stack, peak                ${p.stack} slots = ${pct(p.stack, creation.stack)} of ${creation.stack} (limit ${STACK_LIMIT * 100} %)`,
    `  heap in use between GCs    ${p.slotsInUse} slots = ${pct(p.slotsInUse, creation.heap.initial)} (instruments: live + garbage awaiting collection)`,
    `  chunks in use between GCs  ${p.chunkInUse} bytes = ${pct(p.chunkInUse, creation.chunk.initial)}`,
    `  keys, peak                 ${p.keys}`,
  ].join('\n');
}

describe.skipIf(!sdk)('ESP32 memory profile in the real simulator (mcconfig -i, esp32/* creation)', () => {
  const stops: (() => Promise<unknown> | unknown)[] = [];
  let display: Display;
  let broker: Broker;
  let dir: string;

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await broker?.stop();
    await display?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`runs ${SECONDS} s of load in the standalone and gateway roles within 70 % heap and 80 % stack`, async () => {
    expect(creation.heap.incremental).toBe(0);
    expect(creation.chunk.incremental).toBe(0);
    const t0 = Date.now();
    const progress = (what: string) => console.log(`esp32 profile: ${((Date.now() - t0) / 1000).toFixed(0)} s: ${what}`);
    const build = await buildFirmware(sdk!, { instrumented: true, creation });
    progress(`built ${build.so}`);
    stops.push(await simulatorTurn());
    progress('our turn to run simulators');
    dir = mkdtempSync(join(tmpdir(), 'evse-profile-'));
    display = await startXvfb();
    broker = await startBroker(dir);
    // EVSE_PROFILE_OCPP=gateway[,standalone]: those roles run connected to a strict OCPP central system (profile-ocpp.ts)
    const ocpp = await profileOcpp();
    stops.push(() => ocpp.close());
    // EVSE_PROFILE_WS clients (default 4) on each role's /ws all through the load (profile-ws.ts)
    const ws = profileWs();
    stops.push(() => ws.close());

    const run = (env: Record<string, string>): Simulator => {
      // The mDNS responder unless EVSE_PROFILE_MDNS=0 (docs/moddable.md, "Network: MQTT and names").
      const sim = startSimulator(sdk!, build, display, { EVSE_MEMORY_MS: '1000', EVSE_MDNS: MDNS ? 'on' : 'off', ...env });
      stops.push(() => sim.stop());
      return sim;
    };
    // standalone
    const standalonePort = await freePort();
    const standalone = run({ EVSE_HTTP_PORT: String(standalonePort), EVSE_STATE_DIR: mkdtempSync(join(dir, 'standalone-')) });
    // gateway, RAPI over a pseudo-terminal pair to the Node controller
    const pair = await ptyPair(dir);
    stops.push(() => pair.proc.kill());
    const controller: CliProcess = runCli(['--role', 'controller', '--serial', pair.a, '--http-port', '0', '--state-dir', join(dir, 'controller'), '--quiet']);
    stops.push(() => controller.interrupt());
    const simUrl = (await controller.waitFor(/simulation\s+(http:\/\/127\.0\.0\.1:\d+)\/sim\/status/))[1];
    const gatewayPort = await freePort();
    const gateway = run({ EVSE_ROLE: 'gateway', EVSE_SERIAL: pair.b, EVSE_HTTP_PORT: String(gatewayPort), EVSE_STATE_DIR: mkdtempSync(join(dir, 'gateway-')) });

    const roles = [
      { role: 'standalone', sim: standalone, url: `http://127.0.0.1:${standalonePort}`, simUrl: `http://127.0.0.1:${standalonePort}`, load: newLoad() },
      { role: 'gateway', sim: gateway, url: `http://127.0.0.1:${gatewayPort}`, simUrl, load: newLoad() },
    ];
    // A role that stops answering fails the run at once with what each simulator printed last and the central system's view (profile-stall.ts).
    const watched: WatchedRole[] = roles.map((r) => ({
      role: r.role,
      sim: r.sim,
      lastAnswer: () => r.load.lastAnswer,
      unanswered: () => r.load.failures.filter((f) => f.includes('no answer')),
    }));
    // EVSE_PROFILE_LOG_DIR: each role's whole output (with EVSE_MEMORY_CENSUS=1, what holds the slots at each peak).
    const keepLogs = () => {
      if (process.env.EVSE_PROFILE_LOG_DIR) for (const r of roles) writeFileSync(join(process.env.EVSE_PROFILE_LOG_DIR, `${r.role}.log`), r.sim.output());
    };
    onTestFailed(() => {
      keepLogs();
      console.log(stallReport(watched, (role) => ocpp.state(role)));
    });
    for (const r of roles) {
      progress(`waiting for the ${r.role} role`);
      await r.sim.waitFor(/http: listening on port/, 30_000);
      await r.sim.waitFor(/rapi: controller connected/, 30_000);
      const status = await get(r.url + '/config', { 'Content-Type': 'application/json' }, 'POST', JSON.stringify({ mqtt_enabled: true, mqtt_server: '127.0.0.1', mqtt_port: broker.port, ...GRID_CONFIG }));
      expect(status).toBe(200);
      await r.sim.waitFor(/mqtt: connected/, 30_000);
      await ocpp.enable(r.role, r.url);
      await ws.connect(r.role, r.url);
    }
    // two instances of one build: each its own identity, so each its own MQTT client id
    const ids = await Promise.all(roles.map(async (r) => ((await (await fetch(r.url + '/config')).json()) as { wifi_serial: string }).wifi_serial));
    expect(ids[0]).toMatch(/^[0-9a-f]{12}$/);
    expect(ids[1]).not.toBe(ids[0]);
    progress('both roles connected to MQTT; load starts');
    for (const r of roles) r.load.lastAnswer = Date.now();
    await watchLoad(watched, () => roles.forEach((r) => (r.load.stop = true)), Promise.all(roles.map((r) => drive(r.load, r.url, broker.port, r.simUrl, SECONDS))));
    const loads = roles.map((r) => r.load);
    progress('load done');
    // let the last samples come
    await new Promise((r) => setTimeout(r, 1500));

    const problems: string[] = [];
    keepLogs();
    roles.forEach((r, i) => {
      const load = loads[i];
      const peaks = memoryPeaks(r.sim.output(), creation.heap.initial);
      console.log([report(r.role, peaks, load), ocpp.report(r.role), ws.report(r.role)].filter((l) => l).join('\n'));
      problems.push(...ocpp.problems(r.role), ...ws.problems(r.role, SECONDS));
      const head = `ESP32 profile, ${r.role} role`;
      if (peaks.aborts.length) problems.push(`${head}: the VM aborted: ${peaks.aborts.join(' | ')}`);
      if (r.sim.proc.exitCode !== null) problems.push(`${head}: mcsim exited during the run:\n${r.sim.output().slice(-2000)}`);
      if (peaks.samples < SECONDS / 2) problems.push(`${head}: only ${peaks.samples} instruments samples in ${SECONDS} s`);
      if (peaks.liveSlots === undefined) problems.push(`${head}: no "memory:" lines (EVSE_MEMORY_MS)`);
      else if (peaks.liveSlots > HEAP_LIMIT * creation.heap.initial)
        problems.push(`${head}: HEAP peak ${peaks.liveSlots} live slots is over ${HEAP_LIMIT * 100} % of ${creation.heap.initial}`);
      if (peaks.stack > STACK_LIMIT * creation.stack) problems.push(`${head}: STACK peak ${peaks.stack} slots is over ${STACK_LIMIT * 100} % of ${creation.stack}`);
      if (load.failures.length) problems.push(`${head}: ${load.failures.length} requests failed, e.g. ${load.failures.slice(0, 5).join('; ')}`);
      if (load.requests < SECONDS) problems.push(`${head}: only ${load.requests} requests answered in ${SECONDS} s`);
      if (load.mqttReplies < SECONDS / 2) problems.push(`${head}: only ${load.mqttReplies} MQTT RAPI replies in ${SECONDS} s`);
    });
    expect(problems).toEqual([]);
  }, (SECONDS + 600) * 1000);
});

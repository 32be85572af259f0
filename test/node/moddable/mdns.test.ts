// mDNS / DNS-SD from the firmware in the Moddable simulator (mcsim, the build
// the black-box suite and the ESP32 profile use), found by a real browser
// (bonjour-service) over multicast on this host: the SDK's `mdns` responder
// driven by hosts/moddable/mdns.ts, on the lin socket that
// tools/simulator-socket.mjs makes from the SDK's (docs/moddable.md).
//
// Other simulators and `npm start` runs on this machine advertise on the same
// group at the same time: everything is matched by this instance's own
// hostname and device id.
//
// It also prints what the responder costs the heap: the same build with
// EVSE_MDNS=off beside it, both tracing their live memory after a full
// collection (EVSE_MEMORY_MS); docs/moddable.md quotes the figures.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bonjour, type Browser, type Service } from 'bonjour-service';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { freePort } from '../gateway/broker';
import { buildFirmware, esp32Creation, sdkOrSkip, simulatorTurn, startSimulator, startXvfb, type Display, type Simulator } from './sdk';

const sdk = sdkOrSkip('mDNS in the Moddable simulator');

interface Instance {
  sim: Simulator;
  url: string;
  port: number;
  id: string;
  dir: string;
}

let display: Display | undefined;
let release: (() => void) | undefined;
const instances: Instance[] = [];
let bonjour: Bonjour;
let on: Instance;
let off: Instance;

async function start(env: Record<string, string>): Promise<Instance> {
  const build = await buildFirmware(sdk!, { instrumented: true, creation: esp32Creation() });
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'evse-mdns-sim-'));
  // A device id of our own: the default hostname is openevse-<its last 4 digits>.
  const id = '5d' + randomBytes(5).toString('hex');
  const sim = startSimulator(sdk!, build, display!, { EVSE_HTTP_PORT: String(port), EVSE_STATE_DIR: dir, EVSE_ID: id, EVSE_MEMORY_MS: '1000', ...env });
  const instance = { sim, url: `http://127.0.0.1:${port}`, port, id, dir };
  instances.push(instance);
  await sim.waitFor(/http: listening on port \d+/, 60_000);
  return instance;
}

/** The first service of `type` named `name` a fresh browser sees come up. */
function find(type: string, name: string, ms = 20_000): Promise<Service> {
  return new Promise((resolve, reject) => {
    let browser: Browser | undefined = undefined;
    const timer = setTimeout(() => {
      browser?.stop();
      reject(new Error(`no _${type}._tcp named ${name} within ${ms} ms`));
    }, ms);
    browser = bonjour.find({ type }, (s: Service) => {
      if (s.name !== name) return;
      clearTimeout(timer);
      browser!.stop();
      resolve(s);
    });
  });
}

function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4')
    .map((a) => a!.address);
}

/** The latest "instruments:" value of `name` (once a second). */
function instrument(output: string, name: string): number | undefined {
  const key = /instruments key: (.*)$/m.exec(output);
  const column = key ? key[1].split(',').map((n) => n.trim()).indexOf(name) : -1;
  if (column < 0) return undefined;
  const last = [...output.slice(-20_000).matchAll(/instruments: ([\d,]+)$/gm)].at(-1);
  return last ? Number(last[1].split(',')[column]) : undefined;
}

/** The last `count` "memory:" lines (live slots and chunk bytes after a full collection). */
function live(output: string, count: number): { slots: number; chunks: number }[] {
  return [...output.matchAll(/memory: slots=(\d+) chunks=(\d+) keys=\d+$/gm)].slice(-count).map((m) => ({ slots: Number(m[1]), chunks: Number(m[2]) }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!sdk)('mDNS / DNS-SD from the firmware in the Moddable simulator', () => {
  beforeAll(async () => {
    await buildFirmware(sdk!, { instrumented: true, creation: esp32Creation() });
    release = await simulatorTurn();
    display = await startXvfb();
    [on, off] = await Promise.all([start({}), start({ EVSE_MDNS: 'off' })]);
    bonjour = new Bonjour();
  }, 900_000);

  afterAll(async () => {
    bonjour?.destroy();
    for (const i of instances) {
      await i.sim.stop();
      rmSync(i.dir, { recursive: true, force: true });
    }
    await display?.close();
    release?.();
  });

  const printOnFailure = () =>
    onTestFailed(() => {
      for (const i of instances) console.log(`--- simulator ${i.id} ---\n${i.sim.output().slice(-6000)}`);
    });

  it('advertises _openevse._tcp under openevse-<id tail>.local on its HTTP port, with TXT type, version and id', async () => {
    printOnFailure();
    const hostname = `openevse-${on.id.slice(-4)}`;
    await on.sim.waitFor(new RegExp(`mdns: advertising ${hostname}\\.local`), 20_000);
    const s = await find('openevse', hostname);
    expect(s.port).toBe(on.port);
    expect(s.host).toBe(`${hostname}.local`);
    // as OpenEVSE's: the build, the gateway firmware's version, the device id
    expect(s.txt).toEqual({ type: 'moddable-simulator', version: '5.1.0', id: on.id });
    // the A record is one of this host's addresses (the simulator has the host's network)
    expect(s.addresses?.length).toBeGreaterThan(0);
    for (const a of s.addresses!) expect(hostAddresses()).toContain(a);
  }, 60_000);

  it('advertises _http._tcp under the same name and port', async () => {
    printOnFailure();
    const s = await find('http', `openevse-${on.id.slice(-4)}`);
    expect(s.port).toBe(on.port);
    expect(s.host).toBe(`openevse-${on.id.slice(-4)}.local`);
  }, 30_000);

  it('is off with EVSE_MDNS=off: that instance advertises nothing', async () => {
    printOnFailure();
    expect(off.sim.output()).not.toMatch(/mdns: advertising/);
    await expect(find('openevse', `openevse-${off.id.slice(-4)}`, 5_000)).rejects.toThrow(/within/);
  }, 30_000);

  it('a hostname set through POST /config is announced under the new name, and the old one says goodbye', async () => {
    printOnFailure();
    const old = `openevse-${on.id.slice(-4)}`;
    const renamed = `evse-mdns-${on.id.slice(-6)}`;
    // a browser that has the old name, to see its goodbye
    const gone = new Promise<void>((resolve) => {
      const browser = bonjour.find({ type: 'openevse' });
      browser.on('down', (s: Service) => {
        if (s.name !== old) return;
        browser.stop();
        resolve();
      });
    });
    await find('openevse', old);
    const r = await fetch(on.url + '/config', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hostname: renamed }) });
    expect(r.status).toBe(200);
    const s = await find('openevse', renamed);
    expect(s.port).toBe(on.port);
    expect(s.host).toBe(`${renamed}.local`);
    expect(s.txt).toEqual({ type: 'moddable-simulator', version: '5.1.0', id: on.id });
    expect((await find('http', renamed)).port).toBe(on.port);
    await Promise.race([gone, sleep(10_000).then(() => Promise.reject(new Error(`no goodbye for ${old} within 10 s`)))]);
  }, 90_000);

  it('holds one socket, the same after a restart under a new name; prints what it costs the heap', async () => {
    printOnFailure();
    // Both idle for the announcements' 16 s schedule to run out, then 10 samples each.
    await sleep(20_000);
    const sockets = { on: instrument(on.sim.output(), 'Network sockets'), off: instrument(off.sim.output(), 'Network sockets') };
    expect(sockets.off).toBeDefined();
    expect(sockets.on).toBe(sockets.off! + 1);
    const a = live(on.sim.output(), 10);
    const b = live(off.sim.output(), 10);
    expect(a.length).toBe(10);
    expect(b.length).toBe(10);
    const slots = median(a.map((m) => m.slots)) - median(b.map((m) => m.slots));
    const chunks = median(a.map((m) => m.chunks)) - median(b.map((m) => m.chunks));
    console.log(
      `mDNS responder, live after a full collection (median of 10 s, EVSE_MDNS on minus off, ESP32-profile build): ` +
        `${slots} slots (x16 bytes on the ESP32 = ${slots * 16} bytes), ${chunks} chunk bytes of this 64-bit build; ` +
        `sockets ${sockets.on} vs ${sockets.off}`,
    );
    // it costs something, and it is the responder's: not a second copy of the firmware
    expect(slots).toBeGreaterThan(0);
    expect(slots).toBeLessThan(1000);
  }, 120_000);
});

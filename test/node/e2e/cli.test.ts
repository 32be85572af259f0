// `npm start` as a newcomer meets it: flags, the banner, HTTP, the embedded
// MQTT broker, Ctrl-C with state saved, and the gateway and controller roles
// talking over a pseudo-terminal pair.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { mqttSettings, parseCli, UsageError, type CliOptions } from '../../../hosts/node/cli';
import { ptyPair, runCli, until, type CliProcess } from './processes';

const dirs: string[] = [];
const procs: CliProcess[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'evse-cli-'));
  dirs.push(d);
  return d;
}
function cli(args: string[]): CliProcess {
  const p = runCli(args);
  procs.push(p);
  return p;
}

afterAll(async () => {
  for (const p of procs) await p.interrupt();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function getJson(url: string): Promise<Record<string, any>> {
  const r = await fetch(url);
  return (await r.json()) as Record<string, any>;
}

describe('command line', () => {
  it('defaults to standalone on 127.0.0.1:8080 with an embedded broker on 1883 and ./.state', () => {
    const o = parseCli([], '/home/me/evse') as CliOptions;
    expect(o.role).toBe('standalone');
    expect(o.httpPort).toBe(8080);
    expect(o.httpHost).toBe('127.0.0.1');
    expect(o.mqtt).toEqual({ kind: 'embedded', port: 1883 });
    expect(o.stateDir).toBe(resolve('/home/me/evse', '.state'));
    expect(o.serial).toBeUndefined();
    expect(o.baud).toBe(115200);
  });

  it('reads every flag of the issue', () => {
    const o = parseCli(['--http-port', '0', '--mqtt', 'mqtt://u:p@10.0.0.2:1884/garage', '--state-dir', 'st', '--serial', '/dev/ttyUSB0', '--role', 'gateway'], '/x') as CliOptions;
    expect(o).toEqual({
      role: 'gateway',
      httpPort: 0,
      httpHost: '127.0.0.1',
      mqtt: { kind: 'external', url: 'mqtt://u:p@10.0.0.2:1884/garage' },
      stateDir: '/x/st',
      mdns: true,
      serial: '/dev/ttyUSB0',
      baud: 115200,
      quiet: false,
    });
    expect((parseCli(['--no-mqtt']) as CliOptions).mqtt).toEqual({ kind: 'none' });
    expect((parseCli(['--no-mdns']) as CliOptions).mdns).toBe(false);
    // a controller has no MQTT of its own
    expect((parseCli(['--role', 'controller', '--serial', '/dev/pts/3']) as CliOptions).mqtt).toEqual({ kind: 'none' });
    expect(parseCli(['--help'])).toBe('help');
  });

  it('refuses contradictions and nonsense with a usage error', () => {
    const bad = [
      ['--role', 'gateway'],
      ['--role', 'controller'],
      ['--serial', '/dev/ttyS0'],
      ['--role', 'charger'],
      ['--mqtt', 'mqtt://h', '--no-mqtt'],
      ['--mqtt', 'http://h'],
      ['--mqtt', 'not a url'],
      ['--http-port', '65536'],
      ['--http-port', 'eighty'],
      ['--baud', '0'],
      ['--frobnicate'],
    ];
    for (const args of bad) expect(() => parseCli(args)).toThrow(UsageError);
  });

  it('turns a broker URL into the gateway MQTT settings', () => {
    expect(mqttSettings('mqtts://user:p%40ss@broker.lan/home/evse')).toEqual({
      mqtt_enabled: true,
      mqtt_protocol: 'mqtts',
      mqtt_server: 'broker.lan',
      mqtt_port: 8883,
      mqtt_user: 'user',
      mqtt_pass: 'p@ss',
      mqtt_topic: 'home/evse',
    });
    expect(mqttSettings('mqtt://10.1.1.1')).toEqual({ mqtt_enabled: true, mqtt_protocol: 'mqtt', mqtt_server: '10.1.1.1', mqtt_port: 1883 });
  });
});

describe('npm start (standalone)', () => {
  it('serves HTTP, publishes to its embedded broker, answers RAPI over MQTT, and keeps state across Ctrl-C', async () => {
    const state = tempDir();
    const args = ['--http-port', '0', '--mqtt-port', '0', '--state-dir', state, '--quiet'];
    let p = cli(args);
    const url = (await p.waitFor(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//))[1];
    const broker = (await p.waitFor(/MQTT\s+(mqtt:\/\/127\.0\.0\.1:\d+) \(embedded broker\)/))[1];
    const topic = (await p.waitFor(/topics\s+(\S+)\/#/))[1];
    expect(p.output()).toContain(state);

    // the page and the API
    const page = await fetch(url + '/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>EVSE</title>');
    await until(async () => (await getJson(url + '/status')).rapi_connected === 1, 10_000);

    // MQTT: telemetry arrives per field, and RAPI goes in and out through topics
    const client = mqtt.connect(broker);
    const seen = new Map<string, string>();
    client.on('message', (t, payload) => seen.set(t, payload.toString()));
    await new Promise<void>((r) => client.on('connect', () => client.subscribe(`${topic}/#`, () => r())));
    // plugging in (through the simulation API) is published at once, not at the next 30 s round
    await fetch(url + '/sim/plug', { method: 'POST' });
    await until(() => seen.get(`${topic}/state`) === '3', 10_000);
    client.publish(`${topic}/rapi/in/$GS`, '');
    await until(() => seen.has(`${topic}/rapi/out`), 5000);
    expect(seen.get(`${topic}/rapi/out`)).toMatch(/^\$OK /);
    client.end(true);

    // things to remember: the current (the controller's) and a gateway setting
    const sc = await getJson(url + '/r?json=1&rapi=' + encodeURIComponent('$SC 20'));
    expect(sc.ret).toMatch(/^\$OK/);
    const post = await fetch(url + '/config', { method: 'POST', body: JSON.stringify({ mqtt_announce_topic: 'test/announce' }), headers: { 'Content-Type': 'application/json' } });
    expect(post.status).toBe(200);

    expect(await p.interrupt()).toBe(0);
    expect(p.output()).toContain('SIGINT: stopping, saving state');

    p = cli(args);
    const url2 = (await p.waitFor(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//))[1];
    await p.waitFor(/announce\s+test\/announce/);
    // the same device id, so the same topic
    expect((await p.waitFor(/topics\s+(\S+)\/#/))[1]).toBe(topic);
    await until(async () => (await getJson(url2 + '/status')).pilot === 20, 10_000);
    const cfg = await getJson(url2 + '/config');
    expect(cfg.mqtt_announce_topic).toBe('test/announce');
    // the crash log saw a clean shutdown, then a second boot
    const status = await getJson(url2 + '/status');
    expect(status.boot_count).toBe(2);
    expect(await p.interrupt()).toBe(0);
  }, 90_000);

  it('says what is wrong and exits 2 on a bad flag', async () => {
    const p = cli(['--role', 'gateway']);
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain('--role gateway needs --serial PATH');
    expect(p.output()).toContain('Usage:');
  });
});

describe('--role controller and --role gateway over a pseudo-terminal pair', () => {
  it('a gateway drives the simulated controller through the serial port', async () => {
    const dir = tempDir();
    const pair = await ptyPair(dir);
    try {
      const ctl = cli(['--role', 'controller', '--serial', pair.a, '--http-port', '0', '--state-dir', join(dir, 'ctl'), '--quiet']);
      const simUrl = (await ctl.waitFor(/simulation\s+(http:\/\/127\.0\.0\.1:\d+)\/sim\/status/))[1];
      const gw = cli(['--role', 'gateway', '--serial', pair.b, '--http-port', '0', '--no-mqtt', '--state-dir', join(dir, 'gw'), '--quiet']);
      const url = (await gw.waitFor(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//))[1];
      expect(gw.output()).not.toContain('/sim/status');
      // the gateway sees the controller's firmware and state over the wire
      await until(async () => (await getJson(url + '/status')).rapi_connected === 1, 15_000);
      expect((await getJson(url + '/config')).firmware).toMatch(/^\d+\.\d+\.\d+$/);
      // no simulation API on a gateway: that path belongs to the charger's router
      expect((await fetch(url + '/sim/status')).status).toBe(404);
      // plug in at the controller, see it charge at the gateway
      expect((await fetch(simUrl + '/sim/plug', { method: 'POST' })).status).toBe(200);
      await until(async () => (await getJson(url + '/status')).state === 3, 15_000);
      expect(await gw.interrupt()).toBe(0);
      expect(await ctl.interrupt()).toBe(0);
    } finally {
      pair.proc.kill();
    }
  }, 60_000);
});

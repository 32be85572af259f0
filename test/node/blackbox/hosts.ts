// The chargers the black-box suite runs against, each from the outside only:
// an HTTP base URL, a broker to use, the process's output. One suite, several
// hosts: `npm start` (Node) and the Moddable firmware in the real simulator
// (mcsim under Xvfb, built by the real SDK).

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ptyPair, runCli, type CliProcess } from '../e2e/processes';
import { freePort } from '../gateway/broker';
import { buildFirmware, esp32Creation, sdkOrSkip, simulatorTurn, startSimulator, startXvfb, type Display, type Sdk, type Simulator } from '../moddable/sdk';

export interface Charger {
  /** http://127.0.0.1:port */
  url: string;
  /** Where /sim/* is served: the charger itself, or in the gateway role the controller's process. */
  simUrl: string;
  /** Everything the process printed. */
  output(): string;
  /** Sockets the firmware has open, by its latest instruments sample (once a second; the simulator only). */
  openSockets?(): number | undefined;
  stop(): Promise<void>;
}

export interface ChargerHost {
  name: string;
  /** `/ws` clients it serves at once (one more is refused with 1013). */
  wsPlaces: number;
  /** Why this host cannot run here (the suite then skips it), or undefined. */
  unavailable(): string | undefined;
  /** A fresh standalone charger (empty state) publishing to the broker at 127.0.0.1:`brokerPort`. */
  start(brokerPort: number): Promise<Charger>;
  /** Frees what the host shares between chargers. */
  close(): Promise<void>;
}

function tempDir(name: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `evse-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `npm start` as a user runs it, with --http-port 0 and --mqtt. */
export const nodeHost: ChargerHost = {
  name: 'npm start (Node)',
  // hosts/node/charger.ts
  wsPlaces: 64,
  unavailable: () => undefined,
  async start(brokerPort) {
    const state = tempDir('bb-node');
    const cli: CliProcess = runCli(['--http-port', '0', '--mqtt', `mqtt://127.0.0.1:${brokerPort}`, '--state-dir', state.dir]);
    const url = (await cli.waitFor(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//))[1];
    return {
      url,
      simUrl: url,
      output: cli.output,
      async stop() {
        await cli.interrupt();
        state.remove();
      },
    };
  },
  async close() {},
};

/**
 * The firmware built by mcconfig for the Linux simulator, in mcsim; MQTT set through POST /config
 * as a user would. In the gateway role (the OpenEVSE WiFi module's shape, and its own feature list:
 * hosts/moddable/simulator/features.ts) RAPI goes over a pseudo-terminal pair to
 * `npm start --role controller`, which serves /sim/*.
 */
export function moddableHost(role: 'standalone' | 'gateway' = 'standalone'): ChargerHost {
  let sdk: Sdk | undefined;
  let display: Display | undefined;
  let release: (() => void) | undefined;
  let checked = false;
  return {
    name: role === 'gateway' ? 'Moddable simulator (mcsim), gateway role' : 'Moddable simulator (mcsim)',
    // The device's figure (modules/gateway/ws-hub.ts).
    wsPlaces: 4,
    unavailable() {
      if (!checked) {
        sdk = sdkOrSkip('black-box suite on the Moddable simulator');
        checked = true;
      }
      return sdk ? undefined : 'no Moddable SDK here';
    },
    async start(brokerPort) {
      // The ESP32-profile build (the device's memory sizes, instrumented release): the
      // firmware that answers here is the one that fits the device, and one build
      // per test run serves this suite and the memory profile.
      const build = await buildFirmware(sdk!, { instrumented: true, creation: esp32Creation() });
      release ??= await simulatorTurn();
      display ??= await startXvfb();
      const state = tempDir(role === 'gateway' ? 'bb-mcsim-gw' : 'bb-mcsim');
      const controller = role === 'gateway' ? await startController(state.dir) : undefined;
      const port = await freePort();
      const sim: Simulator = startSimulator(sdk!, build, display, { EVSE_HTTP_PORT: String(port), EVSE_STATE_DIR: state.dir, ...controller?.env });
      await sim.waitFor(/http: listening on port \d+/);
      const url = `http://127.0.0.1:${port}`;
      const r = await fetch(url + '/config', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mqtt_enabled: true, mqtt_protocol: 'mqtt', mqtt_server: '127.0.0.1', mqtt_port: brokerPort }),
      });
      if (r.status !== 200) throw new Error(`POST /config for MQTT answered ${r.status}: ${await r.text()}`);
      return {
        url,
        simUrl: controller?.simUrl ?? url,
        output: controller ? () => `${sim.output()}\n--- controller ---\n${controller.output()}` : sim.output,
        openSockets: () => instrument(sim.output(), 'Network sockets'),
        async stop() {
          await sim.stop();
          await controller?.stop();
          state.remove();
        },
      };
    },
    async close() {
      await display?.close();
      display = undefined;
      release?.();
      release = undefined;
    },
  };
}

/**
 * `npm start --role controller` on one end of a pseudo-terminal pair, its state in `dir`/controller;
 * `env` gives the firmware the gateway role, the other end, and `dir`/gateway for its state.
 */
async function startController(dir: string): Promise<{ env: Record<string, string>; simUrl: string; output(): string; stop(): Promise<void> }> {
  const pair = await ptyPair(dir);
  const controller: CliProcess = runCli(['--role', 'controller', '--serial', pair.a, '--http-port', '0', '--state-dir', join(dir, 'controller'), '--quiet']);
  const simUrl = (await controller.waitFor(/simulation\s+(http:\/\/127\.0\.0\.1:\d+)\/sim\/status/))[1];
  mkdirSync(join(dir, 'gateway'));
  return {
    env: { EVSE_ROLE: 'gateway', EVSE_SERIAL: pair.b, EVSE_STATE_DIR: join(dir, 'gateway') },
    simUrl,
    output: controller.output,
    async stop() {
      await controller.interrupt();
      pair.proc.kill();
    },
  };
}

/** A column of the latest "instruments:" line of an instrumented build (a trace may precede it on its line). */
function instrument(output: string, name: string): number | undefined {
  const key = /instruments key: (.*)$/m.exec(output);
  const column = key ? key[1].split(',').map((n) => n.trim()).indexOf(name) : -1;
  if (column < 0) return undefined;
  const lines = [...output.slice(-20_000).matchAll(/instruments: ([\d,]+)$/gm)];
  const last = lines.at(-1)?.[1].split(',');
  return last ? Number(last[column]) : undefined;
}

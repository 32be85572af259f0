// The standalone firmware as it runs on one ESP32: the J1772 controller and
// its RAPI command processor, the in-memory RAPI link, the gateway with its
// MQTT bridge, over the thinnest stand-ins (stand-ins.ts). No sim models and
// no virtual clock. Portable: bench/node/device.bench.ts runs it on XS.

import { CommandProcessor } from '../../modules/j1772/command-processor';
import { EvseController } from '../../modules/j1772/controller';
import { Gateway } from '../../modules/gateway/gateway';
import type { HttpRequest, HttpResponse, Timers } from '../../modules/ports';
import { LinkEnd } from '../../modules/rapi/link';
import { MemoryStorage } from '../../sim/memory-storage';
import {
  brokerStandIn, buttonStandIn, CurrentStandIn, PilotStandIn, PowerStandIn, StandInTimers, thermometersStandIn,
} from './stand-ins';

/** Where timers are attributed: each part gets its own view of the one timer list. */
export type TimerView = (part: 'controller' | 'gateway' | 'link' | 'stand-ins', timers: Timers) => Timers;

export class Firmware {
  readonly timers = new StandInTimers();
  readonly pilot = new PilotStandIn();
  readonly power = new PowerStandIn();
  readonly current = new CurrentStandIn();
  readonly controller: EvseController;
  readonly processor: CommandProcessor;
  readonly gateway: Gateway;
  readonly #published: () => number;
  /** Turns of promise jobs `http` has waited, so a bench can take the waiting off. */
  flushes = 0;

  constructor(view: TimerView = (_p, t) => t) {
    const timers = this.timers;
    const [gw, ctl] = LinkEnd.pair(view('link', timers));
    const ctlTimers = view('controller', timers);
    this.controller = new EvseController({
      clock: timers,
      timers: ctlTimers,
      pilot: this.pilot,
      pilotSampler: this.pilot,
      relay: this.power,
      acSense: this.power,
      gfci: this.power.gfci,
      gfciTest: this.power.gfci,
      current: this.current,
      temperatures: thermometersStandIn,
      button: buttonStandIn,
      storage: new MemoryStorage(),
    });
    this.processor = new CommandProcessor({ controller: this.controller, output: ctl, clock: timers });
    ctl.onReceive((b) => this.processor.receive(b));
    const broker = brokerStandIn(view('stand-ins', timers));
    this.#published = broker.published;
    this.gateway = new Gateway({
      clock: timers,
      timers: view('gateway', timers),
      storage: new MemoryStorage(),
      link: gw,
      mqttConnect: broker.connect,
      info: { id: 'a1b2c3d4e5f6', version: '5.1.0' },
    });
    gw.onReceive((b) => this.gateway.receive(b));
  }

  get published(): number {
    return this.#published();
  }

  /** Power on, MQTT configured as a user would through /config, settled idle. */
  async boot(): Promise<void> {
    this.controller.start();
    this.gateway.start();
    await this.run(3000);
    const r = await this.http({
      method: 'POST', path: '/config', query: {}, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mqtt_enabled: true, mqtt_server: '192.168.1.2', mqtt_port: 1883 }),
    });
    if (r.status !== 200) throw new Error(`device bench: /config answered ${r.status}`);
    await this.run(5000);
    if (this.controller.state !== 1 || !this.gateway.monitor.ready || !this.gateway.mqttConnected) {
      throw new Error(`device bench: not idle after boot (state ${this.controller.state})`);
    }
  }

  /** An EV plugs in and asks for current; returns once the relay has been closed for `settleMs`. */
  async plugAndCharge(settleMs = 5000): Promise<void> {
    this.pilot.ev = 'charging';
    await this.run(settleMs);
    if (this.controller.state !== 3 || !this.power.closed || this.controller.milliamps < 30000) {
      throw new Error(`device bench: not charging (state ${this.controller.state}, ${this.controller.milliamps} mA)`);
    }
  }

  /** Runs `ms` in 10 ms steps; promise jobs run after each step, as the device's run loop drains them. */
  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 10) {
      this.timers.advance(10);
      await flush();
    }
  }

  /** One HTTP request through the gateway's router, answered. */
  async http(req: HttpRequest): Promise<HttpResponse> {
    let result: HttpResponse | undefined;
    this.gateway.http(req).then((r) => {
      result = r;
    });
    for (let i = 0; i < 200 && !result; i++) {
      await flush();
      this.flushes++;
      if (!result) this.timers.advance(1);
    }
    if (!result) throw new Error(`device bench: no answer to ${req.method} ${req.path}`);
    return result;
  }
}

/** Lets promise jobs run (four turns: a RAPI reply reaches the monitor's continuation within them). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 4; i++) await undefined;
}

export function get(path: string, query: Record<string, string> = {}): HttpRequest {
  return { method: 'GET', path, query, headers: { host: 'openevse.local' }, body: '' };
}

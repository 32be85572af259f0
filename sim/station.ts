// A complete simulated charge station: our J1772 controller and its RAPI
// command processor wired to models of the pilot wire, the EV, the mains and
// contactor, the GFCI sensor, the current transformer and the thermometers.
// The gateway talks to it over bytes exactly as to a real controller.

import { CommandProcessor } from '../modules/j1772/command-processor';
import { type ControllerOptions, EvseController } from '../modules/j1772/controller';
import type { ByteSink, Clock, Logger, Storage, Timers } from '../modules/ports';
import { SimButton } from './button';
import { SimCurrentTransformer } from './current-transformer';
import { SimEv, type SimEvOptions } from './ev';
import { SimGfci, type SimGfciOptions } from './gfci';
import { SimMains, type SimMainsOptions } from './mains';
import { MemoryStorage } from './memory-storage';
import { SimPilot } from './pilot';
import { SimThermometers } from './thermometers';

export type ControllerTuning = Omit<
  ControllerOptions,
  'clock' | 'timers' | 'pilot' | 'pilotSampler' | 'relay' | 'acSense' | 'gfci' | 'gfciTest' | 'current' | 'temperatures' | 'button' | 'storage' | 'logger'
>;

export interface SimStationOptions {
  clock: Clock & Timers;
  storage?: Storage;
  /** Where the controller writes its RAPI bytes. */
  output: ByteSink;
  logger?: Logger;
  ev?: SimEvOptions;
  mains?: SimMainsOptions;
  /** Ambient temperature at start, tenths of °C (default 250). */
  temperature?: number;
  /** The GFCI sensor: UL 2231 inverse-time by default (gfci.ts); 'ideal' trips at once. */
  gfci?: Omit<SimGfciOptions, 'clock'> | 'ideal';
  /** Noise on the CT's ADC, ± counts (default 0; current-transformer.ts). */
  ctNoiseCounts?: number;
  controller?: ControllerTuning;
}

export class SimStation {
  readonly ev: SimEv;
  readonly mains: SimMains;
  readonly pilot: SimPilot;
  readonly gfci: SimGfci;
  readonly ct: SimCurrentTransformer;
  readonly thermometers: SimThermometers;
  readonly button: SimButton;
  readonly controller: EvseController;
  readonly rapi: CommandProcessor;
  readonly storage: Storage;

  constructor(options: SimStationOptions) {
    const clock = options.clock;
    this.storage = options.storage ?? new MemoryStorage();
    this.ev = new SimEv(options.ev);
    this.mains = new SimMains(options.mains);
    this.pilot = new SimPilot(this.ev);
    this.gfci = new SimGfci(() => this.mains.energized, options.gfci === 'ideal' ? {} : { ...options.gfci, clock });
    this.thermometers = new SimThermometers();
    this.button = new SimButton(clock);
    if (options.temperature !== undefined) this.thermometers.set(options.temperature);
    this.ct = new SimCurrentTransformer({
      frequency: () => this.mains.frequency,
      amps: () => this.trueAmps,
      noiseCounts: options.ctNoiseCounts,
    });
    this.controller = new EvseController({
      ...options.controller,
      clock,
      timers: clock,
      pilot: this.pilot,
      pilotSampler: this.pilot,
      relay: this.mains,
      acSense: this.mains,
      gfci: this.gfci,
      gfciTest: this.gfci,
      current: this.ct,
      temperatures: this.thermometers,
      button: this.button,
      storage: this.storage,
      logger: options.logger,
    });
    // The contactor changes whether leakage flows; the sensor's edge is an interrupt.
    this.mains.onChange = () => this.gfci.update();
    this.gfci.onTrip = () => this.controller.gfciTripped();
    this.rapi = new CommandProcessor({ controller: this.controller, output: options.output, clock });
  }

  /** The current really flowing to the EV now, A (what the CT measures; tests integrate it for the true energy). */
  get trueAmps(): number {
    return this.mains.energized ? this.ev.draw(this.pilot.generator) : 0;
  }

  /** RAPI bytes from the gateway. */
  receive(bytes: Uint8Array | string): void {
    this.rapi.receive(bytes);
  }

  /** Power on: self test, `$AB`, then the control loop. */
  start(): void {
    this.controller.start();
  }

  stop(): void {
    this.controller.stop();
  }

  /** Holds the front-panel button for `ms` (default 100 ms: a short press; 10 000 ms: the Wi-Fi request). */
  pressButton(ms = 100): void {
    this.button.press(ms);
  }

  // --- Fault injection

  /** Leakage to earth while the EV is energised, mA (≥ 20 trips a CCID20). */
  gfciLeak(mA: number): void {
    this.gfci.leak(mA);
  }

  /** The GFCI sensor stops responding, even to its test winding. */
  breakGfci(broken: boolean): void {
    this.gfci.broken = broken;
    this.gfci.update();
  }

  loseGround(lost: boolean): void {
    this.mains.grounded = !lost;
  }

  weldRelay(welded: boolean): void {
    this.mains.weld(welded);
  }

  /** Sets every fitted thermometer, tenths of °C. */
  setTemperature(tenths: number): void {
    this.thermometers.set(tenths);
  }

  shortDiode(shorted: boolean): void {
    this.ev.diodeShorted = shorted;
  }

  /** Pilot shorted to earth (J1772 state E). */
  shortPilot(shorted: boolean): void {
    this.pilot.shorted = shorted;
  }
}

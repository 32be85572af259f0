// The J1772 charge controller: reads the pilot, the AC-sense inputs, the GFCI,
// the current transformer and the thermometers on every tick of its own timer,
// decides the EVSE state, and drives the pilot generator and the relay.
//
// Inputs are events (a tick, a GFCI edge, a command); outputs are commands to
// the ports. Timings follow OpenEVSE 8.2.3 where it agrees with IEC 61851-1,
// and IEC where OpenEVSE is slower (relay opening when the EV leaves C).

import type {
  AcSense, Clock, CurrentSampler, GfciInput, GfciTestOutput, Logger, PilotOutput, PilotSampler,
  RelayOutput, Storage, TemperatureSensors, TimerId, Timers,
} from '../ports';
import { Ammeter } from './ammeter';
import { EnergyMeter } from './energy';
import { EvseState, Feature, VFlag, isFaultState } from './evse-state';
import { GFCI_RETRY_COUNT, GFCI_RETRY_DELAY_MS, GfciSelfTest } from './gfci';
import { Heartbeat, Trigger } from './heartbeat';
import { ampsToCount, classifyPilot, DEFAULT_THRESHOLDS, MAX_AMPS, MIN_AMPS, type PilotThresholds } from './pilot';
import { type ControllerSettings, loadSettings, saveSettings } from './settings';
import { DEFAULT_THERMAL, hottest, Thermal, thermalLevel, thermalLimit, type ThermalThresholds } from './temperature';

/** A new pilot state must be seen this long before the controller acts on it. */
export const DEBOUNCE_MS = 250;
/** …except a step that removes power (to A, out of C, E/F), which must act within IEC's 100 ms. */
export const DEBOUNCE_DOWN_MS = 25;
/** No-ground is judged only this long after the relay closed; stuck relay this long after it opened. */
export const GROUND_CHECK_DELAY_MS = 1000;
export const STUCK_RELAY_DELAY_MS = 1000;
/** A fault this soon after the relay closed is latched until unplug (UL). */
export const EARLY_FAULT_MS = 2000;
/** Sleeping with the relay closed: opened when the EV returns to B, draws ≤ 1 A, or after 3 s. */
export const SLEEP_RELAY_TIMEOUT_MS = 3000;
export const SLEEP_RELAY_MILLIAMPS = 1000;
/** Grace before opening the relay on over-temperature / over-current, so the EV can stop first. */
export const OVER_TEMPERATURE_RELAY_DELAY_MS = 5000;
export const OVER_CURRENT_RELAY_DELAY_MS = 1000;
/** Relay settling time during the power-on self test. */
export const RELAY_SETTLE_MS = 250;
export const TEMPERATURE_INTERVAL_MS = 1000;

export interface OverCurrentOptions {
  /** Amps above the advertised current that count as over-current. */
  margin: number;
  /** How long the excess must last, ms. */
  ms: number;
}

export interface ControllerOptions {
  clock: Clock;
  timers: Timers;
  pilot: PilotOutput;
  pilotSampler: PilotSampler;
  relay: RelayOutput;
  acSense: AcSense;
  gfci: GfciInput;
  gfciTest: GfciTestOutput;
  current?: CurrentSampler;
  temperatures?: TemperatureSensors;
  storage?: Storage;
  logger?: Logger;
  thresholds?: PilotThresholds;
  thermal?: ThermalThresholds;
  /** Control loop period, ms (default 10). */
  tickMs?: number;
  /** How often the ammeter takes one mains-cycle reading while charging, ms (default 100). */
  ammeterIntervalMs?: number;
  /** Readings averaged into one reported current (default 8). */
  ammeterBlock?: number;
  /** Over-current protection; `false` disables it. Default 5 A for 10 s. */
  overCurrent?: OverCurrentOptions | false;
  /** Hardware maximum, amps (default 80). */
  maxAmps?: number;
  /** Voltage assumed for energy at L1 / L2 until `$SV`, mV. */
  l1Millivolts?: number;
  l2Millivolts?: number;
  /** Firmware version for $AB / $GV. */
  firmware?: string;
  /** GFCI / no-ground retry policy. */
  retryDelayMs?: number;
  retryCount?: number;
}

export type ControllerEvent = 'boot' | 'change' | 'button';

export type HardFault = 'none' | 'unplug' | 'permanent';

export interface CurrentResult {
  ok: boolean;
  amps: number;
}

export class EvseController {
  readonly firmware: string;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #pilot: PilotOutput;
  readonly #sampler: PilotSampler;
  readonly #relay: RelayOutput;
  readonly #ac: AcSense;
  readonly #gfci: GfciInput;
  readonly #selfTest: GfciSelfTest;
  readonly #current?: CurrentSampler;
  readonly #temperatures?: TemperatureSensors;
  readonly #storage?: Storage;
  readonly #logger?: Logger;
  readonly #thresholds: PilotThresholds;
  readonly #thermalThresholds: ThermalThresholds;
  readonly #tickMs: number;
  readonly #ammeterMs: number;
  readonly #overCurrent: OverCurrentOptions | false;
  readonly #maxAmps: number;
  readonly #millivolts: [number, number];
  readonly #retryDelay: number;
  readonly #retryCount: number;
  readonly #listeners: ((event: ControllerEvent) => void)[] = [];

  #settings: ControllerSettings;
  #ammeter?: Ammeter;
  #samples?: Uint16Array;
  #energy: EnergyMeter;
  #heartbeat: Heartbeat;

  #loop?: TimerId;
  #running = false;
  #posting = false;
  #state: number = EvseState.Unknown;
  #pilotState: number = EvseState.Unknown;
  #pilotMode: 'high' | 'low' | 'pwm' = 'high';
  #pwmAmps = 0;
  #vflags: number = VFlag.SessionEnded;
  #hardFault: HardFault = 'none';

  #relayClosed = false;
  #relayChangedAt = 0;
  /** When the relay last closed (for the early-fault rule); -1 never. */
  #closedAt = -1;
  #relayOpenAt = -1;
  #closeAfterTest = false;

  #candidate = -1;
  #candidateSince = 0;

  #faultSince = 0;
  #retries = 0;
  #acSeenSince = -1;
  #overSince = -1;
  #sleepingSince = -1;

  #capacity = 0;
  #thermal: number = Thermal.Full;
  #lastTemperatureAt = -Infinity;
  #temperatureReadings: readonly (number | null)[] = [];
  #milliamps = 0;
  #lastAmmeterAt = -Infinity;
  #voltage = 0;

  #chargeMs = 0;
  #lastTick = 0;
  /** Session limits: 15-minute units and kWh; 0 = none. */
  #timeLimit = 0;
  #energyLimit = 0;

  constructor(options: ControllerOptions) {
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#pilot = options.pilot;
    this.#sampler = options.pilotSampler;
    this.#relay = options.relay;
    this.#ac = options.acSense;
    this.#gfci = options.gfci;
    this.#selfTest = new GfciSelfTest(options.gfci, options.gfciTest);
    this.#current = options.current;
    this.#temperatures = options.temperatures;
    this.#storage = options.storage;
    this.#logger = options.logger;
    this.#thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.#thermalThresholds = options.thermal ?? DEFAULT_THERMAL;
    this.#tickMs = options.tickMs ?? 10;
    this.#ammeterMs = options.ammeterIntervalMs ?? 100;
    this.#overCurrent = options.overCurrent ?? { margin: 5, ms: 10_000 };
    this.#maxAmps = options.maxAmps ?? MAX_AMPS;
    this.#millivolts = [options.l1Millivolts ?? 120_000, options.l2Millivolts ?? 240_000];
    this.#retryDelay = options.retryDelayMs ?? GFCI_RETRY_DELAY_MS;
    this.#retryCount = options.retryCount ?? GFCI_RETRY_COUNT;
    this.firmware = options.firmware ?? '8.2.3';
    if (!(this.#tickMs > 0) || this.#tickMs > DEBOUNCE_DOWN_MS) {
      throw new RangeError(`tickMs must be in (0, ${DEBOUNCE_DOWN_MS}] so that unplugging is acted on in time`);
    }
    if (this.#maxAmps < MIN_AMPS || this.#maxAmps > MAX_AMPS) throw new RangeError(`maxAmps must be ${MIN_AMPS}–${MAX_AMPS}`);

    this.#settings = loadSettings(this.#storage);
    this.#energy = new EnergyMeter({ totalWs: this.#settings.totalWs });
    this.#heartbeat = new Heartbeat(this.#settings.heartbeatInterval, this.#settings.heartbeatAmps, this.#clock.now());
    if (this.#current) {
      this.#ammeter = new Ammeter({
        bits: this.#current.bits,
        rate: this.#current.rate,
        scale: this.#settings.scale,
        offset: this.#settings.offset,
        block: options.ammeterBlock ?? 8,
      });
      // 40 ms holds one whole cycle after the first crossing at 50 Hz and 60 Hz.
      this.#samples = new Uint16Array(Math.ceil((this.#current.rate * 40) / 1000));
    }
    this.#capacity = this.#configuredAmps();
    this.#voltage = this.#millivolts[this.#l2 ? 1 : 0];
  }

  // -------------------------------------------------------------------------
  // Reading

  get state(): number {
    return this.#state;
  }

  get pilotState(): number {
    return this.#pilotState;
  }

  get vflags(): number {
    return this.#vflags | (this.#relayClosed ? VFlag.RelayClosed : 0) | (this.#hardFault !== 'none' ? VFlag.HardFault : 0);
  }

  get hardFault(): HardFault {
    return this.#hardFault;
  }

  get relayClosed(): boolean {
    return this.#relayClosed;
  }

  /** The current the pilot advertises (after thermal and heartbeat limits), amps. */
  get pilotAmps(): number {
    return thermalLimit(this.#thermal, this.#capacity, MIN_AMPS);
  }

  /** The requested capacity, volatile or saved, amps. */
  get capacity(): number {
    return this.#capacity;
  }

  get minAmps(): number {
    return MIN_AMPS;
  }

  /** The highest current this installation allows: L1 24 A; L2 the hardware maximum or `$SC M`. */
  get maxAmps(): number {
    if (!this.#l2) return Math.min(24, this.#maxAmps);
    return this.#settings.hardwareAmps || this.#maxAmps;
  }

  get settings(): Readonly<ControllerSettings> {
    return this.#settings;
  }

  get serviceLevel(): 1 | 2 {
    return this.#l2 ? 2 : 1;
  }

  get milliamps(): number {
    return this.#milliamps;
  }

  get millivolts(): number {
    return this.#voltage;
  }

  get energy(): EnergyMeter {
    return this.#energy;
  }

  get heartbeat(): Heartbeat {
    return this.#heartbeat;
  }

  /** Charging seconds of the current or last session. */
  get elapsedSeconds(): number {
    return Math.floor(this.#chargeMs / 1000);
  }

  get temperatures(): readonly (number | null)[] {
    return this.#temperatureReadings;
  }

  get timeLimit(): number {
    return this.#timeLimit;
  }

  get energyLimit(): number {
    return this.#energyLimit;
  }

  /** $G0: 0 not connected, 1 connected, 2 unknown (pilot at −12 V). */
  get connection(): 0 | 1 | 2 {
    if (this.#pilotMode === 'low') return 2;
    return this.#vflags & VFlag.EvConnected ? 1 : 0;
  }

  addListener(listener: (event: ControllerEvent) => void): void {
    this.#listeners.push(listener);
  }

  // -------------------------------------------------------------------------
  // Life cycle

  /** Power-on: self test, then the control loop. Emits 'boot' when the test ends. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#posting = true;
    this.#setRelay(false);
    this.#pilotHigh();
    this.#state = EvseState.Unknown;
    this.#post();
  }

  /** Stops the loop with the relay open and the pilot at −12 V. */
  stop(): void {
    this.#running = false;
    this.#posting = false;
    if (this.#loop !== undefined) this.#timers.clear(this.#loop);
    this.#loop = undefined;
    this.#selfTest.cancel();
    this.#setRelay(false);
    this.#pilotLow();
  }

  /** $FR: restart as after power-on (volatile state is lost, settings kept). */
  reboot(): void {
    // Withdraw the offer first and give a charging EV 3 s to stop drawing.
    const delay = this.#relayClosed ? 3000 : 0;
    this.#posting = true;
    this.#pilotHigh();
    this.#timers.set(() => {
      this.stop();
      this.#hardFault = 'none';
      this.#vflags = VFlag.SessionEnded;
      this.#thermal = Thermal.Full;
      this.#candidate = -1;
      this.#retries = 0;
      this.start();
    }, delay);
  }

  // -------------------------------------------------------------------------
  // Commands

  /** $FE: leave Disabled or Sleeping. */
  enable(): boolean {
    if (this.#state !== EvseState.Disabled && this.#state !== EvseState.Sleeping) return true;
    this.#vflags &= ~VFlag.LimitSleep;
    this.#sleepingSince = -1;
    this.#pilotHigh();
    this.#setState(EvseState.Unknown);
    return true;
  }

  /** $FS: pause. The relay opens once the EV has stopped (or after 3 s). */
  sleep(): boolean {
    if (this.#hardFault !== 'none' || isFaultState(this.#state)) return false;
    if (this.#state === EvseState.Sleeping) return true;
    this.#pilotHigh();
    this.#sleepingSince = this.#clock.now();
    if (this.#selfTest.running) {
      this.#selfTest.cancel();
      this.#closeAfterTest = false;
    }
    this.#setState(EvseState.Sleeping);
    return true;
  }

  /** $FD: stop now: relay open, pilot −12 V. */
  disable(): boolean {
    if (this.#hardFault === 'permanent') return false;
    this.#selfTest.cancel();
    this.#closeAfterTest = false;
    this.#setRelay(false);
    this.#pilotLow();
    this.#hardFault = 'none';
    this.#setState(EvseState.Disabled);
    return true;
  }

  /** $F1 / the front button: toggles sleep. */
  button(): void {
    if (this.#state === EvseState.Sleeping || this.#state === EvseState.Disabled) this.enable();
    else this.sleep();
  }

  /**
   * $SC: sets the current capacity. Out-of-range requests are clamped and
   * refused (ok false, with the capacity now in force). `save` writes it as the
   * service level's configured current; `hardware` sets the one-time maximum.
   */
  setCurrent(amps: number, mode: 'save' | 'volatile' | 'hardware' = 'save'): CurrentResult {
    if (!Number.isInteger(amps)) return { ok: false, amps: this.#capacity };
    if (mode === 'hardware') {
      if (this.#settings.hardwareAmps !== 0 || amps < MIN_AMPS || amps > this.#maxAmps) return { ok: false, amps: this.#settings.hardwareAmps || this.#maxAmps };
      this.#settings.hardwareAmps = amps;
      if (this.#capacity > amps) this.#applyCapacity(amps);
      this.#save();
      return { ok: true, amps };
    }
    let ok = true;
    let a = amps;
    if (a < MIN_AMPS) {
      a = MIN_AMPS;
      ok = false;
    } else if (a > this.maxAmps) {
      a = this.maxAmps;
      ok = false;
    }
    // While hot, the current may be lowered but not raised.
    if (this.#thermal !== Thermal.Full && a > this.#capacity) return { ok: false, amps: this.#capacity };
    if (mode === 'save') {
      if (this.#l2) this.#settings.l2Amps = a;
      else this.#settings.l1Amps = a;
      this.#save();
    }
    this.#applyCapacity(a);
    return { ok, amps: a };
  }

  /** $SL: 1, 2 or 'A' (auto). */
  setServiceLevel(level: 1 | 2 | 'A'): void {
    let flags = this.#settings.flags;
    if (level === 'A') flags &= ~Feature.AutoServiceLevelDisabled;
    else {
      flags |= Feature.AutoServiceLevelDisabled;
      flags = level === 2 ? flags | Feature.L2 : flags & ~Feature.L2;
    }
    this.#settings.flags = flags;
    this.#afterServiceLevel();
  }

  #afterServiceLevel(): void {
    this.#save();
    this.#voltage = this.#millivolts[this.#l2 ? 1 : 0];
    this.#applyCapacity(Math.min(this.#configuredAmps(), this.maxAmps));
  }

  /** $FF: sets (1) or clears (0) a feature; `bit` is the Feature disable bit. */
  setFeature(bit: number, enabled: boolean): void {
    this.#settings.flags = enabled ? this.#settings.flags & ~bit : this.#settings.flags | bit;
    this.#save();
  }

  featureEnabled(bit: number): boolean {
    return (this.#settings.flags & bit) === 0;
  }

  /** $SA. */
  setCalibration(scale: number, offset: number): void {
    this.#settings.scale = scale;
    this.#settings.offset = offset;
    if (this.#ammeter) {
      this.#ammeter.scale = scale;
      this.#ammeter.offset = offset;
    }
    this.#save();
  }

  /** $SV: the voltage used for energy, mV (volatile). */
  setVoltage(mV: number): void {
    this.#voltage = mV;
  }

  /** $SK: lifetime energy, Wh. */
  setTotalEnergy(wh: number): void {
    this.#energy.setTotalWh(wh);
    this.#settings.totalWs = wh * 3600;
    this.#save();
  }

  /** $S3 (15-minute units) / $SH (kWh): only while an EV is connected (B or C). */
  setTimeLimit(units: number): boolean {
    if (this.#state !== EvseState.B && this.#state !== EvseState.C) return false;
    this.#timeLimit = units;
    this.#vflags = units ? this.#vflags | VFlag.TimeLimit : this.#vflags & ~VFlag.TimeLimit;
    this.#emit('change');
    return true;
  }

  setEnergyLimit(kwh: number): boolean {
    if (this.#state !== EvseState.B && this.#state !== EvseState.C) return false;
    this.#energyLimit = kwh;
    this.#vflags = kwh ? this.#vflags | VFlag.ChargeLimit : this.#vflags & ~VFlag.ChargeLimit;
    this.#emit('change');
    return true;
  }

  /** $ST: stores the delay timer (all zeros = off); start == stop is invalid. */
  setTimer(sh: number, sm: number, eh: number, em: number): boolean {
    const off = sh === 0 && sm === 0 && eh === 0 && em === 0;
    if (!off && (sh > 23 || eh > 23 || sm > 59 || em > 59 || (sh === eh && sm === em))) return false;
    this.#settings.timer = [sh, sm, eh, em];
    this.#save();
    return true;
  }

  /** $SY interval amps. */
  configureHeartbeat(interval: number, amps: number): void {
    if (interval === 0 && this.#heartbeat.trigger === Trigger.Missed) this.#restoreCapacity();
    this.#heartbeat.configure(interval, amps, this.#clock.now());
    if (this.#settings.heartbeatInterval !== interval || this.#settings.heartbeatAmps !== amps) {
      this.#settings.heartbeatInterval = interval;
      this.#settings.heartbeatAmps = amps;
      this.#save();
    }
  }

  /** $SY 165: acknowledges a missed pulse and restores the current (fails while hot). */
  acknowledgeHeartbeat(): boolean {
    if (this.#heartbeat.trigger !== Trigger.Missed) {
      this.#heartbeat.pulse(this.#clock.now());
      return false;
    }
    if (this.#thermal !== Thermal.Full) return false;
    this.#heartbeat.acknowledge(this.#clock.now());
    this.#restoreCapacity();
    return true;
  }

  /** $SY: a heartbeat pulse; false while a miss is unacknowledged. */
  pulseHeartbeat(): boolean {
    return this.#heartbeat.pulse(this.#clock.now());
  }

  /**
   * The GFCI sensor's rising edge, delivered by the host as soon as it happens:
   * the relay opens inside this call, not at the next tick.
   */
  gfciTripped(): void {
    if (this.#selfTest.running) {
      this.#selfTest.tripped();
      return;
    }
    if (!this.#running) return;
    this.#setRelay(false);
    this.#closeAfterTest = false;
    this.#vflags |= VFlag.GfciTripped;
    if (this.#state !== EvseState.GfciFault) this.#fault(EvseState.GfciFault);
  }

  // -------------------------------------------------------------------------
  // Power-on self test

  #post(): void {
    const steps: (() => number)[] = [];
    const first = this.#sampler.read();
    const noEv = classifyPilot(first.high, first.low, false, this.#thresholds).state === 'A';
    let failure: number = EvseState.Unknown;
    const ac = () => {
      const s = this.#ac.read();
      return (s.line1 ? 1 : 0) + (s.line2 ? 1 : 0);
    };
    steps.push(() => {
      // With no EV the pilot goes to −12 V so no car could start while relays are exercised.
      if (noEv) this.#pilotLow();
      if (this.featureEnabled(Feature.StuckRelayCheckDisabled) && ac() > 0) failure = EvseState.StuckRelay;
      return 0;
    });
    const autoLevel = this.featureEnabled(Feature.AutoServiceLevelDisabled);
    if (noEv && autoLevel) {
      steps.push(() => {
        if (failure) return 0;
        this.#setRelay(true);
        return RELAY_SETTLE_MS;
      });
      steps.push(() => {
        if (failure) return 0;
        const lines = ac();
        this.#setRelay(false);
        if (lines === 2) this.#settings.flags |= Feature.L2;
        else if (lines === 1) this.#settings.flags &= ~Feature.L2;
        else if (this.featureEnabled(Feature.GroundCheckDisabled)) failure = EvseState.NoGround;
        return 0;
      });
    } else if (!noEv && autoLevel) {
      this.#vflags |= VFlag.AutoServiceLevelSkipped;
    }
    const selfTest = this.featureEnabled(Feature.GfciSelfTestDisabled);
    let testStarted = false;
    steps.push(() => {
      if (failure || !selfTest) return 0;
      if (!testStarted) {
        testStarted = true;
        this.#selfTest.begin(this.#clock.now());
      }
      const r = this.#selfTest.step(this.#clock.now());
      if (r === 'running') return -1; // come back after a tick
      if (r === 'failed') failure = EvseState.GfciTestFailed;
      return 0;
    });

    let i = 0;
    const run = () => {
      if (!this.#posting) return;
      while (i < steps.length) {
        const wait = steps[i]();
        if (wait < 0) {
          this.#timers.set(run, this.#tickMs);
          return;
        }
        i++;
        if (wait > 0) {
          this.#timers.set(run, wait);
          return;
        }
      }
      this.#endPost(failure);
    };
    run();
  }

  #endPost(failure: number): void {
    this.#posting = false;
    this.#voltage = this.#millivolts[this.#l2 ? 1 : 0];
    this.#capacity = Math.min(this.#configuredAmps(), this.maxAmps);
    this.#save();
    this.#lastTick = this.#clock.now();
    this.#heartbeat.configure(this.#settings.heartbeatInterval, this.#settings.heartbeatAmps, this.#lastTick);
    if (failure) {
      this.#logger?.log(`controller: power-on self test failed, state ${failure}`);
      if (failure === EvseState.StuckRelay) this.#settings.stuckRelayTrips = Math.min(254, this.#settings.stuckRelayTrips + 1);
      this.#setRelay(false);
      this.#pilotHigh();
      this.#hardFault = 'permanent';
      this.#state = failure;
      this.#emit('boot');
      this.#emit('change');
      return;
    }
    this.#pilotHigh();
    this.#state = EvseState.Unknown;
    this.#emit('boot');
    this.#loop = this.#timers.repeat(() => this.#tick(), this.#tickMs);
  }

  // -------------------------------------------------------------------------
  // The control loop

  #tick(): void {
    if (!this.#running || this.#posting) return;
    const now = this.#clock.now();
    const dt = now - this.#lastTick;
    this.#lastTick = now;
    if (this.#hardFault === 'permanent') return;

    this.#measure(now, dt);
    if (this.#heartbeat.expired(now)) this.#heartbeatMissed();
    this.#checkTemperature(now);
    this.#openDelayedRelay(now);

    if (this.#state === EvseState.Disabled) return;

    const reading = this.#sampler.read();
    const cls = classifyPilot(reading.high, reading.low, this.#pilotMode === 'pwm', this.#thresholds);
    this.#trackConnection(cls.state !== 'A' && cls.state !== 'F');
    const diode = cls.diodeFault && this.featureEnabled(Feature.DiodeCheckDisabled);
    this.#pilotState = diode ? EvseState.DiodeCheckFailed : pilotCode(cls.state);

    if (isFaultState(this.#state)) {
      this.#whileFaulted(now, cls.state === 'A');
      this.#emit('change');
      return;
    }
    if (this.#checkSafety(now)) return;

    if (this.#state === EvseState.Sleeping) {
      this.#whileSleeping(now, cls.state);
      this.#emit('change');
      return;
    }

    // What the pilot says the state should be.
    let next: number;
    if (diode) next = EvseState.DiodeCheckFailed;
    else if (cls.state === 'A') next = EvseState.A;
    else if (cls.state === 'B') next = EvseState.B;
    else if (cls.state === 'C' || cls.state === 'D') {
      // C and D mean something only while PWM offers current; on a steady pilot they are B.
      if (this.#pilotMode !== 'pwm') next = EvseState.B;
      else if (cls.state === 'D' && this.featureEnabled(Feature.VentCheckDisabled)) next = EvseState.D;
      else next = EvseState.C;
    } else next = EvseState.Unknown; // E or F: pilot shorted or held negative

    if (this.#closeAfterTest && next !== EvseState.C) {
      // The EV stopped asking while the self test ran.
      this.#selfTest.cancel();
      this.#closeAfterTest = false;
    }
    if (this.#selfTest.running) this.#stepSelfTest(now);

    if (next === this.#state) {
      this.#candidate = -1;
    } else {
      if (next !== this.#candidate) {
        this.#candidate = next;
        this.#candidateSince = now;
      }
      const lessPower = next === EvseState.A || this.#state === EvseState.C || next === EvseState.Unknown || next === EvseState.DiodeCheckFailed;
      if (now - this.#candidateSince >= (lessPower ? DEBOUNCE_DOWN_MS : DEBOUNCE_MS)) {
        this.#candidate = -1;
        this.#enter(next, now);
      }
    }
    if (this.#state === EvseState.C) this.#checkLimits();
    this.#emit('change');
  }

  #enter(state: number, now: number): void {
    switch (state) {
      case EvseState.A:
        this.#setRelay(false);
        this.#pilotHigh();
        this.#timeLimit = 0;
        this.#energyLimit = 0;
        this.#retries = 0;
        this.#vflags &= ~(VFlag.TimeLimit | VFlag.ChargeLimit);
        this.#setState(state);
        break;
      case EvseState.B:
        this.#setRelay(false);
        this.#selfTest.cancel();
        this.#closeAfterTest = false;
        this.#pilotPwm(this.pilotAmps);
        this.#setState(state);
        break;
      case EvseState.C:
        this.#pilotPwm(this.pilotAmps);
        if (this.featureEnabled(Feature.GfciSelfTestDisabled)) {
          // UL: prove the GFCI works before every relay close; the state
          // becomes C when the relay closes, after the test.
          if (this.#closeAfterTest) break;
          this.#closeAfterTest = true;
          this.#selfTest.begin(now);
          this.#stepSelfTest(now);
        } else {
          this.#enterCharging();
        }
        break;
      case EvseState.D:
      case EvseState.DiodeCheckFailed:
        this.#fault(state, { hard: 'unplug' });
        break;
      default:
        // Unknown: the pilot is shorted or negative; no power until it reads sensibly.
        this.#setRelay(false);
        this.#setState(state);
    }
  }

  #stepSelfTest(now: number): void {
    const r = this.#selfTest.step(now);
    if (r === 'passed' && this.#closeAfterTest) {
      this.#closeAfterTest = false;
      this.#enterCharging();
    } else if (r === 'failed') {
      this.#closeAfterTest = false;
      this.#fault(EvseState.GfciTestFailed, { hard: 'unplug' });
    }
  }

  /** Closes the relay, then reports C (so the $AT for C already shows the relay closed). */
  #enterCharging(): void {
    this.#overSince = -1;
    this.#setRelay(true);
    // Closing can trip the GFCI at once (re-entrantly); then the fault stands.
    if (this.#relayClosed) this.#setState(EvseState.C);
  }

  /** Checks that run in every non-fault state; true when one faulted. */
  #checkSafety(now: number): boolean {
    if (this.#relayClosed) {
      if (!this.#selfTest.running && this.#gfci.read()) {
        this.gfciTripped();
        return true;
      }
      if (this.#vflags & VFlag.AutoServiceLevelSkipped && now - this.#relayChangedAt > GROUND_CHECK_DELAY_MS) {
        // An EV was plugged in at power-on, so the self test could not close
        // the relay: the first charge shows which lines are live.
        const s = this.#ac.read();
        this.#vflags &= ~VFlag.AutoServiceLevelSkipped;
        if (s.line1 && s.line2 && !this.#l2) {
          this.#settings.flags |= Feature.L2;
          this.#afterServiceLevel();
        }
      }
      if (this.featureEnabled(Feature.GroundCheckDisabled) && now - this.#relayChangedAt > GROUND_CHECK_DELAY_MS) {
        const s = this.#ac.read();
        if (!s.line1 && !s.line2) {
          this.#settings.noGroundTrips = Math.min(254, this.#settings.noGroundTrips + 1);
          this.#vflags |= VFlag.NoGroundTripped;
          this.#fault(EvseState.NoGround);
          return true;
        }
      }
      if (this.#overCurrent && this.#state === EvseState.C) {
        if (this.#milliamps >= (this.pilotAmps + this.#overCurrent.margin) * 1000) {
          if (this.#overSince < 0) this.#overSince = now;
          else if (now - this.#overSince >= this.#overCurrent.ms) {
            this.#fault(EvseState.OverCurrent, { hard: 'unplug', relayDelayMs: OVER_CURRENT_RELAY_DELAY_MS });
            return true;
          }
        } else this.#overSince = -1;
      }
    } else if (this.featureEnabled(Feature.StuckRelayCheckDisabled) && this.#relayOpenAt < 0) {
      const s = this.#ac.read();
      if (s.line1 || s.line2) {
        if (this.#acSeenSince < 0) this.#acSeenSince = now;
        if (now - this.#relayChangedAt > STUCK_RELAY_DELAY_MS && now - this.#acSeenSince > STUCK_RELAY_DELAY_MS) {
          this.#settings.stuckRelayTrips = Math.min(254, this.#settings.stuckRelayTrips + 1);
          this.#fault(EvseState.StuckRelay, { hard: 'permanent' });
          return true;
        }
      } else this.#acSeenSince = -1;
    }
    if (this.#thermal === Thermal.Panic) {
      this.#fault(EvseState.OverTemperature, { hard: 'unplug', relayDelayMs: this.#relayClosed ? OVER_TEMPERATURE_RELAY_DELAY_MS : 0 });
      return true;
    }
    return false;
  }

  #fault(state: number, options: { hard?: HardFault; relayDelayMs?: number } = {}): void {
    const now = this.#clock.now();
    // The GFCI edge has already opened the relay, so judge by the last close.
    const early = this.#closedAt >= 0 && now - this.#closedAt < EARLY_FAULT_MS;
    this.#selfTest.cancel();
    this.#closeAfterTest = false;
    if (options.relayDelayMs) this.#relayOpenAt = now + options.relayDelayMs;
    else this.#setRelay(false);
    this.#pilotHigh();
    if (state === EvseState.GfciFault) this.#settings.gfciTrips = Math.min(254, this.#settings.gfciTrips + 1);
    let hard = options.hard ?? 'none';
    if (hard === 'none' && early) hard = 'unplug';
    this.#hardFault = hard;
    this.#faultSince = now;
    this.#candidate = -1;
    this.#save();
    this.#logger?.log(`controller: fault ${state}${hard !== 'none' ? ` (latched until ${hard === 'unplug' ? 'unplug' : 'power cycle'})` : ''}`);
    this.#setState(state);
  }

  #whileFaulted(now: number, unplugged: boolean): void {
    if (this.#hardFault === 'permanent') return;
    if (unplugged) {
      // Unplugging clears every recoverable fault: the next EV starts afresh.
      if (this.#relayOpenAt >= 0) this.#setRelay(false);
      this.#hardFault = 'none';
      this.#retries = 0;
      this.#setState(EvseState.Unknown);
      return;
    }
    if (this.#hardFault !== 'none') return;
    if ((this.#state === EvseState.GfciFault || this.#state === EvseState.NoGround) && now - this.#faultSince >= this.#retryDelay) {
      this.#faultSince = now;
      if (++this.#retries > this.#retryCount) {
        this.#hardFault = 'unplug';
        this.#emit('change');
        return;
      }
      if (this.#state === EvseState.GfciFault && this.#gfci.read()) return; // still tripped: wait again
      // The retry count survives the attempt (until unplug), so a fault that
      // keeps coming back is retried a bounded number of times.
      this.#logger?.log(`controller: retrying after fault ${this.#state} (${this.#retries}/${this.#retryCount})`);
      this.#setState(EvseState.Unknown);
    }
  }

  #whileSleeping(now: number, pilot: string): void {
    if (!this.#relayClosed) return;
    if (pilot === 'A' || pilot === 'B' || this.#milliamps <= SLEEP_RELAY_MILLIAMPS || now - this.#sleepingSince >= SLEEP_RELAY_TIMEOUT_MS) {
      this.#setRelay(false);
    }
  }

  #openDelayedRelay(now: number): void {
    if (this.#relayOpenAt >= 0 && now >= this.#relayOpenAt) this.#setRelay(false);
  }

  #checkLimits(): void {
    const timeUp = this.#timeLimit > 0 && this.#chargeMs >= this.#timeLimit * 15 * 60_000;
    const energyUp = this.#energyLimit > 0 && this.#energy.sessionWs >= this.#energyLimit * 3_600_000;
    if (!timeUp && !energyUp) return;
    this.#timeLimit = 0;
    this.#energyLimit = 0;
    this.#vflags = (this.#vflags & ~(VFlag.TimeLimit | VFlag.ChargeLimit)) | VFlag.LimitSleep;
    this.sleep();
  }

  #trackConnection(connected: boolean): void {
    if (this.#pilotMode === 'low') return;
    const was = (this.#vflags & VFlag.EvConnected) !== 0;
    if (connected === was) return;
    if (connected) {
      // A new session: energy and charge time start from zero.
      this.#energy.startSession();
      this.#chargeMs = 0;
      this.#vflags = (this.#vflags | VFlag.EvConnected) & ~VFlag.SessionEnded;
    } else {
      this.#vflags = (this.#vflags & ~VFlag.EvConnected) | VFlag.SessionEnded;
      this.#energy.endSession();
      this.#settings.totalWs = this.#energy.totalWs;
      this.#save();
      if (this.#vflags & VFlag.LimitSleep && this.#state === EvseState.Sleeping) this.enable();
    }
  }

  #measure(now: number, dt: number): void {
    if (!this.#relayClosed) {
      this.#milliamps = 0;
      this.#ammeter?.reset();
      return;
    }
    this.#chargeMs += dt;
    const ammeter = this.#ammeter;
    const current = this.#current;
    const samples = this.#samples;
    if (ammeter && current && samples && now - this.#lastAmmeterAt >= this.#ammeterMs) {
      this.#lastAmmeterAt = now;
      const n = current.sample(samples);
      const avg = ammeter.measure(samples, n);
      if (avg !== undefined) this.#milliamps = avg;
    }
    this.#energy.add(this.#voltage, this.#milliamps, dt);
  }

  #checkTemperature(now: number): void {
    if (!this.#temperatures || now - this.#lastTemperatureAt < TEMPERATURE_INTERVAL_MS) return;
    this.#lastTemperatureAt = now;
    this.#temperatureReadings = this.#temperatures.read();
    if (!this.featureEnabled(Feature.TemperatureCheckDisabled)) {
      this.#thermal = Thermal.Full;
      return;
    }
    const before = this.pilotAmps;
    const level = thermalLevel(this.#thermal, hottest(this.#temperatureReadings), this.#thermalThresholds);
    // Panic latches the fault; the level itself steps down with the temperature.
    this.#thermal = level;
    if (this.pilotAmps !== before && this.#pilotMode === 'pwm') this.#pilotPwm(this.pilotAmps);
  }

  #heartbeatMissed(): void {
    const fallback = this.#heartbeat.fallback;
    this.#logger?.log(`controller: heartbeat missed, falling back to ${fallback} A`);
    if (fallback < this.#capacity) this.#applyCapacity(Math.max(MIN_AMPS, fallback));
    this.#emit('change');
  }

  #restoreCapacity(): void {
    this.#applyCapacity(Math.min(this.#configuredAmps(), this.maxAmps));
  }

  #applyCapacity(amps: number): void {
    this.#capacity = amps;
    if (this.#pilotMode === 'pwm') this.#pilotPwm(this.pilotAmps);
    this.#emit('change');
  }

  // -------------------------------------------------------------------------
  // Outputs

  #setState(state: number): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit('change');
  }

  #setRelay(closed: boolean): void {
    this.#relayOpenAt = -1;
    if (closed === this.#relayClosed) return;
    // Bookkeeping first: closing can raise a GFCI edge that re-enters this
    // object (gfciTripped → open) before relay.set returns.
    this.#relayClosed = closed;
    this.#relayChangedAt = this.#clock.now();
    this.#acSeenSince = -1;
    if (closed) this.#closedAt = this.#relayChangedAt;
    this.#relay.set(closed);
  }

  #pilotHigh(): void {
    this.#pilotMode = 'high';
    this.#pwmAmps = 0;
    this.#pilot.high();
  }

  #pilotLow(): void {
    this.#pilotMode = 'low';
    this.#pwmAmps = 0;
    this.#pilot.low();
  }

  #pilotPwm(amps: number): void {
    if (this.#pilotMode === 'pwm' && this.#pwmAmps === amps) return;
    this.#pilotMode = 'pwm';
    this.#pwmAmps = amps;
    this.#pilot.pwm(ampsToCount(amps, this.#pilot.frequency, this.#pilot.resolution));
  }

  get #l2(): boolean {
    return (this.#settings.flags & Feature.L2) !== 0;
  }

  #configuredAmps(): number {
    return this.#l2 ? this.#settings.l2Amps : this.#settings.l1Amps;
  }

  #save(): void {
    saveSettings(this.#storage, this.#settings);
  }

  #emit(event: ControllerEvent): void {
    for (const l of this.#listeners) l(event);
  }
}

function pilotCode(state: string): number {
  switch (state) {
    case 'A': return EvseState.A;
    case 'B': return EvseState.B;
    case 'C': return EvseState.C;
    case 'D': return EvseState.D;
    default: return EvseState.Unknown;
  }
}

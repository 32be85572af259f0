// The J1772 charge controller, as an orchestrator: on every tick of its own
// timer it reads the pilot, the AC-sense lines, the GFCI, the current
// transformer, the thermometers and the button, asks the small modules next
// to it what they make of that, and drives the pilot generator and the relay.
//
// Inputs are events (a tick, a GFCI edge, a command); outputs are commands to
// the ports. Each decision lives in its own file: post.ts (power-on self
// test), faults.ts (the fault table and the retry policy), ground.ts,
// stuck-relay.ts, overcurrent.ts (periodic checks), gfci.ts (self test),
// temperature.ts, sleep.ts, delay-timer.ts, limits.ts, service-level.ts,
// heartbeat.ts, energy.ts, button.ts. Timings follow OpenEVSE 8.2.3 where it
// agrees with IEC 61851-1, and IEC where OpenEVSE is slower (relay opening
// when the EV leaves C); docs/safety.md maps each to its test.

import type {
  AcSense, ButtonInput, Clock, CurrentSampler, GfciInput, GfciTestOutput, Logger, PilotOutput, PilotSampler,
  RelayOutput, Storage, TemperatureSensors, TimerId, Timers,
} from '../ports';
import { Ammeter } from './ammeter';
import { ButtonTimer, type ButtonEvent } from './button';
import { DELAY_TIMER_CHECK_MS, DelayTimer, validWindow, windowEnabled } from './delay-timer';
import { EnergyMeter } from './energy';
import { EvseState, Feature, VFlag, isFaultState } from './evse-state';
import { FAULTS, latchFor, MAX_TRIPS, RetryPolicy, type SafetyCheck, type Sense } from './faults';
import { GfciSelfTest } from './gfci';
import { GROUND_CHECK_DELAY_MS, GroundCheck } from './ground';
import { Heartbeat, Trigger } from './heartbeat';
import { SessionLimits } from './limits';
import { DEFAULT_OVER_CURRENT, OverCurrentCheck, type OverCurrentOptions } from './overcurrent';
import { ampsToCount, classifyPilot, DEFAULT_THRESHOLDS, MAX_AMPS, MIN_AMPS, type PilotThresholds } from './pilot';
import { PowerOnSelfTest, type PostResult } from './post';
import { Rtc } from './rtc';
import { detectLevel, L1_MILLIVOLTS, L2_MILLIVOLTS, levelMaxAmps, levelOf, withDetected, withLevel, type ServiceLevel } from './service-level';
import { type ControllerSettings, loadSettings, saveSettings } from './settings';
import { sleepOpensRelay, type SleepReason } from './sleep';
import { StuckRelayCheck } from './stuck-relay';
import { DEFAULT_THERMAL, hottest, Thermal, thermalLevel, thermalLimit, type ThermalThresholds } from './temperature';

// Names the first version exported from here, kept for importers.
export { EARLY_FAULT_MS } from './faults';
export { GROUND_CHECK_DELAY_MS } from './ground';
export { STUCK_RELAY_DELAY_MS } from './stuck-relay';
export { SLEEP_RELAY_MILLIAMPS, SLEEP_RELAY_TIMEOUT_MS } from './sleep';
export { RELAY_SETTLE_MS } from './post';
export type { OverCurrentOptions } from './overcurrent';

/** A new pilot state must be seen this long before the controller acts on it. */
export const DEBOUNCE_MS = 250;
/** …except a step that removes power (to A, out of C, E/F), which must act within IEC's 100 ms. */
export const DEBOUNCE_DOWN_MS = 25;
/** IEC 61851-1 Table A.6: power off within 100 ms of the EV leaving C. */
export const POWER_OFF_MS = 100;
export const TEMPERATURE_INTERVAL_MS = 1000;

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
  /** The front-panel button's level, polled each tick (hosts with edges only call `button()`). */
  button?: ButtonInput;
  storage?: Storage;
  logger?: Logger;
  thresholds?: PilotThresholds;
  thermal?: ThermalThresholds;
  /** Control loop period, ms (default 10; at most 50, so power goes off within 100 ms of the EV leaving C). */
  tickMs?: number;
  /** How often the ammeter takes one mains-cycle reading while charging, ms (default 100). */
  ammeterIntervalMs?: number;
  /** Readings averaged into one reported current (default 8). */
  ammeterBlock?: number;
  /** Over-current protection; `false` leaves the check out. Default 5 A for 10 s. */
  overCurrent?: OverCurrentOptions | false;
  /** Hardware maximum, amps (default 80). */
  maxAmps?: number;
  /** Voltage assumed for energy at L1 / L2 until `$SV`, mV. */
  l1Millivolts?: number;
  l2Millivolts?: number;
  /** Firmware version for $AB / $GV. */
  firmware?: string;
  /** GFCI / no-ground retry policy (defaults in faults.ts: UL 2231 guidance, 15 min × 4). */
  retryDelayMs?: number;
  retryCount?: number;
}

/**
 * What listeners hear: 'boot' after the self test, 'change' after anything
 * $AT may report, 'press-short'/'press-long' for presses of a disabled button
 * ($AN 0/1), 'wifi' for a 10-second press ($WF 02).
 */
export type ControllerEvent = 'boot' | 'change' | 'press-short' | 'press-long' | 'wifi';

export type HardFault = 'none' | 'unplug' | 'permanent';

export interface CurrentResult {
  ok: boolean;
  amps: number;
}

export class EvseController {
  readonly firmware: string;
  /** The real-time clock ($S1, $GT) the delay timer follows. */
  readonly rtc: Rtc;
  /** GFCI / no-ground retries: its `delayMs` and `count` are the settings in force. */
  readonly retry: RetryPolicy;
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
  readonly #buttonInput?: ButtonInput;
  readonly #storage?: Storage;
  readonly #logger?: Logger;
  readonly #thresholds: PilotThresholds;
  readonly #thermalThresholds: ThermalThresholds;
  readonly #tickMs: number;
  readonly #ammeterMs: number;
  readonly #boardMaxAmps: number;
  readonly #millivolts: [number, number];
  readonly #checks: SafetyCheck[];
  readonly #listeners: ((event: ControllerEvent) => void)[] = [];
  readonly #limits = new SessionLimits();
  readonly #delayTimer = new DelayTimer();
  readonly #buttonTimer = new ButtonTimer();
  readonly #sense: Sense = {
    now: 0, relayClosed: false, relayChangedAt: 0, relayOpening: false, liveLines: 0, charging: false, milliamps: 0, offeredAmps: 0,
  };

  #settings: ControllerSettings;
  #ammeter?: Ammeter;
  #samples?: Uint16Array;
  #energy: EnergyMeter;
  #heartbeat: Heartbeat;
  #post?: PowerOnSelfTest;

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

  #sleepingSince = -1;
  #sleepReason: SleepReason | undefined;
  #lastTimerCheck = -Infinity;

  #capacity = 0;
  #thermal: number = Thermal.Full;
  #lastTemperatureAt = -Infinity;
  #temperatureReadings: readonly (number | null)[] = [];
  #milliamps = 0;
  #lastAmmeterAt = -Infinity;
  #voltage = 0;

  #chargeMs = 0;
  #lastTick = 0;

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
    this.#buttonInput = options.button;
    this.#storage = options.storage;
    this.#logger = options.logger;
    this.#thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.#thermalThresholds = options.thermal ?? DEFAULT_THERMAL;
    this.#tickMs = options.tickMs ?? 10;
    this.#ammeterMs = options.ammeterIntervalMs ?? 100;
    this.#boardMaxAmps = options.maxAmps ?? MAX_AMPS;
    this.#millivolts = [options.l1Millivolts ?? L1_MILLIVOLTS, options.l2Millivolts ?? L2_MILLIVOLTS];
    this.retry = new RetryPolicy({ delayMs: options.retryDelayMs, count: options.retryCount });
    this.rtc = new Rtc(options.clock);
    this.firmware = options.firmware ?? '8.2.3';
    // A step out of C is seen one tick late at worst and acted on after the debounce, counted in ticks.
    const worstPowerOff = this.#tickMs * (1 + Math.ceil(DEBOUNCE_DOWN_MS / this.#tickMs));
    if (!(this.#tickMs > 0) || worstPowerOff > POWER_OFF_MS) {
      throw new RangeError(`tickMs ${this.#tickMs} would leave power on up to ${worstPowerOff} ms after the EV stops (limit ${POWER_OFF_MS} ms)`);
    }
    if (this.#boardMaxAmps < MIN_AMPS || this.#boardMaxAmps > MAX_AMPS) throw new RangeError(`maxAmps must be ${MIN_AMPS}–${MAX_AMPS}`);

    const overCurrent = options.overCurrent ?? DEFAULT_OVER_CURRENT;
    this.#checks = [new GroundCheck(), new StuckRelayCheck()];
    if (overCurrent) this.#checks.push(new OverCurrentCheck(overCurrent));

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
    this.#voltage = this.#millivolts[this.serviceLevel - 1];
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
    return (
      this.#vflags |
      (this.#relayClosed ? VFlag.RelayClosed : 0) |
      (this.#hardFault !== 'none' ? VFlag.HardFault : 0) |
      (this.#limits.time ? VFlag.TimeLimit : 0) |
      (this.#limits.energy ? VFlag.ChargeLimit : 0) |
      (windowEnabled(this.#settings.timer) ? VFlag.DelayTimer : 0)
    );
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
    return levelMaxAmps(this.serviceLevel, this.#boardMaxAmps, this.#settings.hardwareAmps);
  }

  get settings(): Readonly<ControllerSettings> {
    return this.#settings;
  }

  get serviceLevel(): ServiceLevel {
    return levelOf(this.#settings.flags);
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
    return this.#limits.time;
  }

  get energyLimit(): number {
    return this.#limits.energy;
  }

  /** Why the station sleeps (undefined when it does not). */
  get sleepReason(): SleepReason | undefined {
    return this.#state === EvseState.Sleeping ? this.#sleepReason : undefined;
  }

  /** The delay timer's manual override (a button press outside or inside the window). */
  get timerOverridden(): boolean {
    return this.#delayTimer.overridden;
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
    const first = this.#sampler.read();
    this.#post = new PowerOnSelfTest({
      clock: this.#clock,
      timers: this.#timers,
      tickMs: this.#tickMs,
      selfTest: this.#selfTest,
      flags: this.#settings.flags,
      evPresent: classifyPilot(first.high, first.low, false, this.#thresholds).state !== 'A',
      pilotLow: () => this.#pilotLow(),
      setRelay: (closed) => this.#setRelay(closed),
      liveLines: () => this.#liveLines(),
      onDone: (r) => this.#endPost(r),
    });
    this.#post.start();
  }

  /** Stops the loop with the relay open and the pilot at −12 V. */
  stop(): void {
    this.#running = false;
    this.#posting = false;
    this.#post?.cancel();
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
      this.retry.reset();
      this.#limits.clear();
      this.#delayTimer.clearOverride();
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
    this.#sleepReason = undefined;
    this.#pilotHigh();
    this.#setState(EvseState.Unknown);
    return true;
  }

  /** $FS: pause. The relay opens once the EV has stopped (or after 3 s). */
  sleep(reason: SleepReason = 'command'): boolean {
    if (this.#hardFault !== 'none' || isFaultState(this.#state)) return false;
    if (this.#state === EvseState.Sleeping) return true;
    this.#pilotHigh();
    this.#sleepingSince = this.#clock.now();
    this.#sleepReason = reason;
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

  /**
   * A short press of the front-panel button, from a host that reports press
   * edges. With the button disabled ($FF B 0) it is only reported ($AN 0).
   */
  button(): void {
    this.#buttonEvent('short');
  }

  /** $F1: a short press, whether or not the physical button is disabled. */
  simulateButton(): void {
    this.#toggle();
  }

  /**
   * $SC: sets the current capacity. Out-of-range requests are clamped and
   * refused (ok false, with the capacity now in force). `save` writes it as the
   * service level's configured current; `hardware` sets the one-time maximum.
   */
  setCurrent(amps: number, mode: 'save' | 'volatile' | 'hardware' = 'save'): CurrentResult {
    if (!Number.isInteger(amps)) return { ok: false, amps: this.#capacity };
    if (mode === 'hardware') {
      if (this.#settings.hardwareAmps !== 0 || amps < MIN_AMPS || amps > this.#boardMaxAmps) return { ok: false, amps: this.#settings.hardwareAmps || this.#boardMaxAmps };
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
      if (this.serviceLevel === 2) this.#settings.l2Amps = a;
      else this.#settings.l1Amps = a;
      this.#save();
    }
    this.#applyCapacity(a);
    return { ok, amps: a };
  }

  /** $SL: 1, 2 or 'A' (auto). */
  setServiceLevel(level: ServiceLevel | 'A'): void {
    this.#settings.flags = withLevel(this.#settings.flags, level);
    this.#afterServiceLevel();
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

  /** $S3 (15-minute units): only while an EV is connected (B or C). */
  setTimeLimit(units: number): boolean {
    if (!this.#limitsAccepted()) return false;
    this.#limits.time = units;
    this.#emit('change');
    return true;
  }

  /** $SH (kWh): only while an EV is connected (B or C). */
  setEnergyLimit(kwh: number): boolean {
    if (!this.#limitsAccepted()) return false;
    this.#limits.energy = kwh;
    this.#emit('change');
    return true;
  }

  #limitsAccepted(): boolean {
    if (this.#state !== EvseState.B && this.#state !== EvseState.C) return false;
    // A limit says "charge now, this much": it overrides the delay timer (OpenEVSE).
    if (windowEnabled(this.#settings.timer)) this.#delayTimer.override();
    return true;
  }

  /** $ST: the delay timer (all zeros = off); start == stop is invalid. Takes effect within 1 s. */
  setTimer(sh: number, sm: number, eh: number, em: number): boolean {
    const w: [number, number, number, number] = [sh, sm, eh, em];
    if (!validWindow(w)) return false;
    this.#settings.timer = w;
    this.#delayTimer.clearOverride();
    this.#lastTimerCheck = -Infinity; // at the next tick
    this.#save();
    this.#emit('change');
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
    if (this.#state !== EvseState.GfciFault) this.#fault(EvseState.GfciFault);
  }

  // -------------------------------------------------------------------------
  // Power-on self test

  #endPost(r: PostResult): void {
    this.#posting = false;
    this.#post = undefined;
    if (r.level) this.#settings.flags = withDetected(this.#settings.flags, r.level);
    if (r.levelSkipped) this.#vflags |= VFlag.AutoServiceLevelSkipped;
    this.#voltage = this.#millivolts[this.serviceLevel - 1];
    this.#capacity = Math.min(this.#configuredAmps(), this.maxAmps);
    this.#save();
    this.#lastTick = this.#clock.now();
    this.#lastTimerCheck = -Infinity;
    this.#heartbeat.configure(this.#settings.heartbeatInterval, this.#settings.heartbeatAmps, this.#lastTick);
    if (r.failure) {
      this.#logger?.log(`controller: power-on self test failed, state ${r.failure}`);
      const counter = FAULTS[r.failure]?.counter;
      if (r.failure === EvseState.StuckRelay && counter) this.#count(counter);
      this.#setRelay(false);
      this.#pilotHigh();
      this.#hardFault = 'permanent';
      this.#state = r.failure;
      this.#emit('boot');
      this.#emit('change');
      // The button still works (a 10 s press asks for the Wi-Fi access point).
      this.#loop = this.#timers.repeat(() => this.#tick(), this.#tickMs);
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
    if (this.#buttonInput) this.#buttonEvent(this.#buttonTimer.sample(this.#buttonInput.read(), now));
    if (this.#hardFault === 'permanent') return;

    this.#measure(now, dt);
    if (this.#heartbeat.expired(now)) this.#heartbeatMissed();
    this.#checkTemperature(now);
    if (this.#relayOpenAt >= 0 && now >= this.#relayOpenAt) this.#setRelay(false);
    if (now - this.#lastTimerCheck >= DELAY_TIMER_CHECK_MS && this.#checkDelayTimer()) this.#lastTimerCheck = now;

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
      if (this.#relayClosed && sleepOpensRelay(cls.state, this.#milliamps, now - this.#sleepingSince)) this.#setRelay(false);
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
    if (this.#state === EvseState.C && this.#limits.reached(this.#chargeMs, this.#energy.sessionWs)) this.#limitReached();
    this.#emit('change');
  }

  #enter(state: number, now: number): void {
    switch (state) {
      case EvseState.A:
        this.#setRelay(false);
        this.#pilotHigh();
        this.#limits.clear();
        this.retry.reset();
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
        this.#fault(state);
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
      this.#fault(EvseState.GfciTestFailed);
    }
  }

  /** Closes the relay, then reports C (so the $AT for C already shows the relay closed). */
  #enterCharging(): void {
    for (const c of this.#checks) c.reset();
    this.#setRelay(true);
    // Closing can trip the GFCI at once (re-entrantly); then the fault stands.
    if (this.#relayClosed) this.#setState(EvseState.C);
  }

  /** The periodic checks of faults.ts, in every non-fault state; true when one faulted. */
  #checkSafety(now: number): boolean {
    if (this.#relayClosed && !this.#selfTest.running && this.#gfci.read()) {
      // The edge was missed (or arrived while the self test owned it): the level still counts.
      this.gfciTripped();
      return true;
    }
    const s = this.#sense;
    s.now = now;
    s.relayClosed = this.#relayClosed;
    s.relayChangedAt = this.#relayChangedAt;
    s.relayOpening = this.#relayOpenAt >= 0;
    s.liveLines = this.#liveLines();
    s.charging = this.#state === EvseState.C;
    s.milliamps = this.#milliamps;
    s.offeredAmps = this.pilotAmps;
    if (this.#relayClosed && this.#vflags & VFlag.AutoServiceLevelSkipped && now - this.#relayChangedAt > GROUND_CHECK_DELAY_MS) {
      // An EV was plugged in at power-on, so the self test could not close
      // the relay: the first charge shows which lines are live.
      this.#vflags &= ~VFlag.AutoServiceLevelSkipped;
      if (detectLevel(s.liveLines) === 2 && this.serviceLevel !== 2) {
        this.#settings.flags = withDetected(this.#settings.flags, 2);
        this.#afterServiceLevel();
      }
    }
    for (const check of this.#checks) {
      const feature = FAULTS[check.fault].feature;
      if (feature !== undefined && !this.featureEnabled(feature)) {
        check.reset();
        continue;
      }
      if (check.evaluate(s)) {
        this.#fault(check.fault);
        return true;
      }
    }
    if (this.#thermal === Thermal.Panic) {
      this.#fault(EvseState.OverTemperature);
      return true;
    }
    return false;
  }

  /** Enters a fault state as FAULTS describes it. */
  #fault(state: number): void {
    const spec = FAULTS[state];
    const now = this.#clock.now();
    // The GFCI edge has already opened the relay, so judge "early" by the last close.
    const latch = latchFor(spec, now, this.#closedAt);
    this.#selfTest.cancel();
    this.#closeAfterTest = false;
    if (spec.relayDelayMs && this.#relayClosed) this.#relayOpenAt = now + spec.relayDelayMs;
    else this.#setRelay(false);
    this.#pilotHigh();
    if (spec.counter) this.#count(spec.counter);
    if (spec.vflag) this.#vflags |= spec.vflag;
    this.#hardFault = latch === 'retry' ? 'none' : latch;
    this.#faultSince = now;
    this.#candidate = -1;
    this.#save();
    this.#logger?.log(`controller: fault ${state}${latch === 'retry' ? '' : ` (latched until ${latch === 'unplug' ? 'unplug' : 'power cycle'})`}`);
    this.#setState(state);
  }

  #whileFaulted(now: number, unplugged: boolean): void {
    if (this.#hardFault === 'permanent') return;
    if (unplugged) {
      // Unplugging clears every recoverable fault: the next EV starts afresh.
      if (this.#relayOpenAt >= 0) this.#setRelay(false);
      this.#hardFault = 'none';
      this.retry.reset();
      this.#setState(EvseState.Unknown);
      return;
    }
    if (this.#hardFault !== 'none' || FAULTS[this.#state]?.latch !== 'retry') return;
    const decision = this.retry.decide(now - this.#faultSince);
    if (decision === 'wait') return;
    this.#faultSince = now;
    if (decision === 'lockout') {
      this.#hardFault = 'unplug';
      this.#logger?.log(`controller: fault ${this.#state} retried ${this.retry.count} times; latched until unplug`);
      this.#emit('change');
      return;
    }
    if (this.#state === EvseState.GfciFault && this.#gfci.read()) return; // still tripped: wait again
    this.#logger?.log(`controller: retrying after fault ${this.#state} (${this.retry.retries}/${this.retry.count})`);
    this.#setState(EvseState.Unknown);
  }

  #limitReached(): void {
    this.#limits.clear();
    this.#vflags |= VFlag.LimitSleep;
    this.sleep('limit');
  }

  /** Applies the delay timer's window; false when the state is not one it acts on (asked again next tick). */
  #checkDelayTimer(): boolean {
    const st = this.#state;
    if (st === EvseState.Disabled || st === EvseState.Unknown || isFaultState(st) || this.#hardFault !== 'none') return false;
    const sleeping = st === EvseState.Sleeping;
    const action = this.#delayTimer.decide(this.#settings.timer, this.rtc.minuteOfDay(), sleeping, sleeping && this.#sleepReason === 'timer');
    if (action === 'sleep') this.sleep('timer');
    else if (action === 'wake') this.enable();
    return true;
  }

  /** A short press toggles sleep; a press of a disabled button is only reported. */
  #buttonEvent(e: ButtonEvent): void {
    if (e === 'none') return;
    if (e === 'wifi') return this.#emit('wifi');
    if (!this.featureEnabled(Feature.ButtonDisabled)) return this.#emit(e === 'short' ? 'press-short' : 'press-long');
    if (e === 'short') this.#toggle();
    // A long press opens OpenEVSE's LCD menu; there is no LCD here.
  }

  #toggle(): void {
    if (this.#hardFault !== 'none' || isFaultState(this.#state)) return;
    // The user overrides the delay timer until its window agrees again.
    if (windowEnabled(this.#settings.timer)) this.#delayTimer.override();
    if (this.#state === EvseState.Sleeping || this.#state === EvseState.Disabled) this.enable();
    else this.sleep('button');
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
      this.#delayTimer.clearOverride();
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
    // Panic latches the fault; the level itself steps down with the temperature.
    this.#thermal = thermalLevel(this.#thermal, hottest(this.#temperatureReadings), this.#thermalThresholds);
    if (this.pilotAmps !== before && this.#pilotMode === 'pwm') this.#pilotPwm(this.pilotAmps);
  }

  #heartbeatMissed(): void {
    const fallback = this.#heartbeat.fallback;
    this.#logger?.log(`controller: heartbeat missed, falling back to ${fallback} A`);
    if (fallback < this.#capacity) this.#applyCapacity(Math.max(MIN_AMPS, fallback));
    this.#emit('change');
  }

  #afterServiceLevel(): void {
    this.#save();
    this.#voltage = this.#millivolts[this.serviceLevel - 1];
    this.#restoreCapacity();
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

  #liveLines(): number {
    const s = this.#ac.read();
    return (s.line1 ? 1 : 0) + (s.line2 ? 1 : 0);
  }

  #configuredAmps(): number {
    return this.serviceLevel === 2 ? this.#settings.l2Amps : this.#settings.l1Amps;
  }

  #count(counter: 'gfciTrips' | 'noGroundTrips' | 'stuckRelayTrips'): void {
    this.#settings[counter] = Math.min(MAX_TRIPS, this.#settings[counter] + 1);
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

// The J1772 charge controller, as an orchestrator: it wires the host's ports
// to the modules next to it, runs the power-on self test, then ticks its own
// timer. Each tick polls the button, meters current and energy, checks the
// heartbeat, the thermometers and the delay timer, and hands the pilot to the
// state machine. Its public surface is what RAPI needs: status to read and
// commands to give.
//
// Where things are decided (docs/controller.md has the map): state-machine.ts
// (the J1772 states and their transitions), debounce.ts, faults.ts (the fault
// table, the checks, latching, GFCI/no-ground retry), offer.ts (the current
// offered and its limits), session.ts (charge time, energy, limits),
// charging-current.ts, relay.ts, post.ts, gfci.ts, sleep.ts, delay-timer.ts,
// button.ts, service-level.ts, settings.ts. Timings follow OpenEVSE 8.2.3
// where it agrees with IEC 61851-1; docs/safety.md maps each to its test.

import type {
  AcSense, ButtonInput, Clock, CurrentSampler, GfciInput, GfciTestOutput, Logger, PilotOutput, PilotSampler,
  RelayOutput, Storage, TemperatureSensors, TimerId, Timers,
} from '../ports';
import { ButtonTimer, type ButtonEvent } from './button';
import { ChargingCurrent } from './charging-current';
import { DEBOUNCE_DOWN_MS, POWER_OFF_MS, worstPowerOffMs } from './debounce';
import { DELAY_TIMER_CHECK_MS, validWindow } from './delay-timer';
import type { EnergyMeter } from './energy';
import { EvseState, Feature, VFlag } from './evse-state';
import { FaultSupervisor, restingSense, RetryPolicy, type HardFault, type Sense } from './faults';
import { GfciSelfTest } from './gfci';
import type { Heartbeat } from './heartbeat';
import { CurrentOffer, type CurrentResult } from './offer';
import type { OverCurrentOptions } from './overcurrent';
import { PeriodicChecks } from './periodic-checks';
import { classifyPilot, DEFAULT_THRESHOLDS, MAX_AMPS, MIN_AMPS, type PilotThresholds } from './pilot';
import { PowerOnSelfTest, type PostResult } from './post';
import { Relay } from './relay';
import { Rtc } from './rtc';
import { L1_MILLIVOLTS, L2_MILLIVOLTS, levelOf, liveLines, withDetected, withLevel, type ServiceLevel } from './service-level';
import { ChargeSession, type PendingCharge } from './session';
import { type ControllerSettings, SettingsStore } from './settings';
import type { SleepReason } from './sleep';
import { EvseStateMachine } from './state-machine';
import { hottest, type ThermalThresholds } from './temperature';

// Names the first versions exported from here, kept for importers.
export { DEBOUNCE_DOWN_MS, DEBOUNCE_MS, POWER_OFF_MS } from './debounce';
export { EARLY_FAULT_MS, type HardFault } from './faults';
export { GROUND_CHECK_DELAY_MS } from './ground';
export { type CurrentResult } from './offer';
export { RELAY_SETTLE_MS } from './post';
export { SLEEP_RELAY_MILLIAMPS, SLEEP_RELAY_TIMEOUT_MS } from './sleep';
export { STUCK_RELAY_DELAY_MS } from './stuck-relay';
export type { OverCurrentOptions } from './overcurrent';

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
  /** While charging, save the lifetime energy once this many Wh and a minute are unsaved (default 10, session.ts; 0: only at unplug and stop). */
  energySaveWh?: number;
}

/**
 * What listeners hear: 'boot' after the self test, 'change' after anything
 * $AT may report, 'press-short'/'press-long' for presses of a disabled button
 * ($AN 0/1), 'wifi' for a 10-second press ($WF 02).
 */
export type ControllerEvent = 'boot' | 'change' | 'press-short' | 'press-long' | 'wifi';

export class EvseController {
  readonly firmware: string;
  /** The real-time clock ($S1, $GT) the delay timer follows. */
  readonly rtc: Rtc;
  /** GFCI / no-ground retries: its `delayMs` and `count` are the settings in force. */
  readonly retry: RetryPolicy;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #sampler: PilotSampler;
  readonly #ac: AcSense;
  readonly #gfci: GfciInput;
  readonly #temperatures?: TemperatureSensors;
  readonly #buttonInput?: ButtonInput;
  readonly #logger?: Logger;
  readonly #thresholds: PilotThresholds;
  readonly #tickMs: number;
  readonly #millivolts: [number, number];
  readonly #settings: SettingsStore;
  readonly #relay: Relay;
  readonly #offer: CurrentOffer;
  readonly #session: ChargeSession;
  /** The session's charging not yet counted, which the tick adds to (session.ts PendingCharge). */
  readonly #pending: PendingCharge;
  readonly #current: ChargingCurrent;
  readonly #faults: FaultSupervisor;
  readonly #selfTest: GfciSelfTest;
  readonly #machine: EvseStateMachine;
  /** What the periodic checks look at; the relay keeps its fields there (read on every tick without a call). */
  readonly #sense: Sense;
  readonly #buttonTimer = new ButtonTimer();
  /** The button timer is timing a press (its `timing`, as it stood after the last sample). */
  #buttonTiming = false;
  readonly #listeners: ((event: ControllerEvent) => void)[] = [];

  #post?: PowerOnSelfTest;
  #loop?: TimerId;
  #running = false;
  /** `start` has run before (a later one is a power cycle). */
  #started = false;
  #posting = false;
  #lastTick = 0;
  #lastTimerCheck = -Infinity;
  #lastTemperatureAt = -Infinity;
  #temperatureReadings: readonly (number | null)[] = [];
  /** The voltage energy is counted at ($SV), mV. */
  #voltage = 0;

  constructor(options: ControllerOptions) {
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#sampler = options.pilotSampler;
    this.#ac = options.acSense;
    this.#gfci = options.gfci;
    this.#temperatures = options.temperatures;
    this.#buttonInput = options.button;
    this.#logger = options.logger;
    this.#thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.#tickMs = options.tickMs ?? 10;
    this.#millivolts = [options.l1Millivolts ?? L1_MILLIVOLTS, options.l2Millivolts ?? L2_MILLIVOLTS];
    this.firmware = options.firmware ?? '8.2.3';
    this.rtc = new Rtc(options.clock);
    const worstPowerOff = worstPowerOffMs(this.#tickMs);
    if (!(this.#tickMs > 0) || worstPowerOff > POWER_OFF_MS) {
      throw new RangeError(`tickMs ${this.#tickMs} would leave power on up to ${worstPowerOff} ms after the EV stops (limit ${POWER_OFF_MS} ms, debounce ${DEBOUNCE_DOWN_MS} ms)`);
    }
    const boardMaxAmps = options.maxAmps ?? MAX_AMPS;
    if (boardMaxAmps < MIN_AMPS || boardMaxAmps > MAX_AMPS) throw new RangeError(`maxAmps must be ${MIN_AMPS}–${MAX_AMPS}`);

    // The periodic checks (GFCI level, ground, stuck relay, over-current, over-temperature; the first to fail wins) in one pass.
    const checks = new PeriodicChecks({ overCurrent: options.overCurrent });
    this.retry = new RetryPolicy({ delayMs: options.retryDelayMs, count: options.retryCount });
    const faults = (this.#faults = new FaultSupervisor(checks, this.retry));
    const selfTest = (this.#selfTest = new GfciSelfTest(options.gfci, options.gfciTest));
    // What the periodic checks look at: the relay, the offer and the current keep their fields of it.
    const sense = (this.#sense = restingSense());
    const relay = (this.#relay = new Relay(options.relay, options.clock, sense));
    const settings = (this.#settings = new SettingsStore(options.storage));
    const offer = (this.#offer = new CurrentOffer({ pilot: options.pilot, settings, boardMaxAmps, thermal: options.thermal, now: this.#clock.now(), sense }));
    const session = (this.#session = new ChargeSession({ settings, saveEveryWh: options.energySaveWh }));
    this.#pending = session.pending;
    const { scale, offset } = settings.values;
    const block = options.ammeterBlock ?? 8;
    const current = (this.#current = new ChargingCurrent({ sampler: options.current, scale, offset, block, intervalMs: options.ammeterIntervalMs ?? 100, sense }));
    this.#machine = new EvseStateMachine({
      clock: options.clock, pilotSampler: options.pilotSampler, acSense: options.acSense, gfci: options.gfci, thresholds: this.#thresholds,
      settings, relay, offer, session, current, faults, selfTest, sense, logger: options.logger,
      onChange: () => this.#emit('change'),
      onL2Detected: () => {
        if (this.serviceLevel === 2) return;
        settings.values.flags = withDetected(settings.values.flags, 2);
        this.#afterServiceLevel();
      },
    });
    this.#voltage = this.#millivolts[this.serviceLevel - 1];
  }

  // -------------------------------------------------------------------------
  // Reading (what $GS, $GG, $GE, $AT… report)

  get state(): number { return this.#machine.state; }
  get pilotState(): number { return this.#machine.pilotState; }
  get hardFault(): HardFault { return this.#faults.hard; }
  get relayClosed(): boolean { return this.#relay.closed; }
  /** The current the pilot advertises (after thermal and heartbeat limits), amps. */
  get pilotAmps(): number { return this.#offer.amps; }
  /** The requested capacity, volatile or saved, amps. */
  get capacity(): number { return this.#offer.capacity; }
  get minAmps(): number { return MIN_AMPS; }
  /** The highest current this installation allows: L1 24 A; L2 the hardware maximum or `$SC M`. */
  get maxAmps(): number { return this.#offer.maxAmps; }
  get settings(): Readonly<ControllerSettings> { return this.#settings.values; }
  get serviceLevel(): ServiceLevel { return levelOf(this.#settings.values.flags); }
  get milliamps(): number { return this.#current.milliamps; }
  get millivolts(): number { return this.#voltage; }
  get energy(): EnergyMeter { return this.#session.energy; }
  get heartbeat(): Heartbeat { return this.#offer.heartbeat; }
  /** Charging seconds of the current or last session. */
  get elapsedSeconds(): number { return Math.floor(this.#session.chargeMs / 1000); }
  get temperatures(): readonly (number | null)[] { return this.#temperatureReadings; }
  get timeLimit(): number { return this.#session.limits.time; }
  get energyLimit(): number { return this.#session.limits.energy; }
  /** Why the station sleeps (undefined when it does not). */
  get sleepReason(): SleepReason | undefined { return this.state === EvseState.Sleeping ? this.#machine.sleepReason : undefined; }
  /** The delay timer's manual override (a button press outside or inside the window). */
  get timerOverridden(): boolean { return this.#machine.delayTimer.overridden; }

  get vflags(): number {
    const limits = this.#session.limits;
    const timer = this.#settings.values.timer; // windowEnabled(), inlined: $AT reads this every tick
    return (
      this.#machine.vflags |
      (this.#relay.closed ? VFlag.RelayClosed : 0) |
      (this.#faults.hard !== 'none' ? VFlag.HardFault : 0) |
      (limits.time ? VFlag.TimeLimit : 0) |
      (limits.energy ? VFlag.ChargeLimit : 0) |
      ((timer[0] | timer[1] | timer[2] | timer[3]) !== 0 ? VFlag.DelayTimer : 0)
    );
  }

  /** $G0: 0 not connected, 1 connected, 2 unknown (pilot at −12 V). */
  get connection(): 0 | 1 | 2 {
    if (this.#offer.mode === 'low') return 2;
    return this.#machine.vflags & VFlag.EvConnected ? 1 : 0;
  }

  featureEnabled(bit: number): boolean {
    return (this.#settings.values.flags & bit) === 0;
  }

  addListener(listener: (event: ControllerEvent) => void): void {
    this.#listeners.push(listener);
  }

  // -------------------------------------------------------------------------
  // Life cycle

  /** Power-on: self test, then the control loop. Emits 'boot' when the test ends. */
  start(): void {
    if (this.#running) return;
    // A start after a stop is a power cycle: nothing volatile survives it (latches, thermal level, limits).
    if (this.#started) this.#forget();
    this.#started = true;
    this.#running = true;
    this.#posting = true;
    this.#relay.set(false);
    this.#offer.high();
    this.#machine.restart(false);
    const first = this.#sampler.read();
    this.#post = new PowerOnSelfTest({
      clock: this.#clock,
      timers: this.#timers,
      tickMs: this.#tickMs,
      selfTest: this.#selfTest,
      flags: this.#settings.values.flags,
      evPresent: classifyPilot(first.high, first.low, false, this.#thresholds).state !== 'A',
      pilotLow: () => this.#offer.low(),
      setRelay: (closed) => this.#relay.set(closed),
      liveLines: () => liveLines(this.#ac),
      gfciTripped: () => this.#gfci.read(),
      onDone: (r) => this.#endPost(r),
    });
    this.#post.start();
  }

  /**
   * Stops the loop with the relay open and the pilot at −12 V (a clean
   * shutdown). The lifetime energy, the running session included, and the
   * counters are saved, so a clean stop loses nothing.
   */
  stop(): void {
    const wasRunning = this.#running;
    this.#running = false;
    this.#posting = false;
    this.#post?.cancel();
    if (this.#loop !== undefined) this.#timers.clear(this.#loop);
    this.#loop = undefined;
    this.#selfTest.cancel();
    this.#relay.set(false);
    this.#offer.low();
    if (wasRunning) this.#session.save();
  }

  /** $FR: restart as after power-on (volatile state is lost, settings kept). */
  reboot(): void {
    // Withdraw the offer first and give a charging EV 3 s to stop drawing: as a
    // sleep, so the loop keeps running and the relay opens as soon as the EV
    // leaves C (a fault's grace runs on the same way).
    // (During the power-on self test the relay is closed only to see the lines, never for an EV.)
    const delay = this.#relay.closed && !this.#posting ? 3000 : 0;
    if (delay) this.#machine.sleep('command');
    else {
      this.#posting = true;
      this.#relay.set(false);
    }
    this.#offer.high();
    this.#timers.set(() => {
      this.#posting = true;
      this.stop();
      this.start();
    }, delay);
  }

  /** What a power cycle loses. */
  #forget(): void {
    this.#faults.clear();
    this.#machine.restart(true);
    this.#offer.cool();
    this.#session.limits.clear();
    this.#machine.delayTimer.clearOverride();
  }

  #endPost(r: PostResult): void {
    const s = this.#settings.values;
    this.#posting = false;
    this.#post = undefined;
    if (r.level) s.flags = withDetected(s.flags, r.level);
    if (r.failure === EvseState.StuckRelay) this.#settings.count('stuckRelayTrips');
    this.#voltage = this.#millivolts[this.serviceLevel - 1];
    this.#offer.restore();
    this.#settings.save();
    this.#lastTick = this.#clock.now();
    this.#lastTimerCheck = -Infinity;
    this.#offer.heartbeat.configure(s.heartbeatInterval, s.heartbeatAmps, this.#lastTick);
    this.#relay.set(false);
    this.#offer.high();
    if (r.failure) this.#logger?.log(`controller: power-on self test failed, state ${r.failure}`);
    this.#machine.booted(r.failure, r.levelSkipped);
    // Auto-start off ($FF S 0): come up asleep, so no current is offered before the gateway says so.
    if (!r.failure && s.flags & Feature.AutoStartDisabled) this.#machine.sleep('command');
    this.#emit('boot');
    if (r.failure) this.#emit('change');
    // After a failure too: the button still works (a 10 s press asks for the Wi-Fi access point).
    this.#loop = this.#timers.repeat(() => this.#tick(), this.#tickMs);
  }

  // -------------------------------------------------------------------------
  // Commands

  // State commands are refused during the power-on self test (as OpenEVSE, which reads RAPI only after it):
  // it drives the relay and the pilot itself, and a command in between would fail it.

  /** $FE: leave Disabled or Sleeping. */
  enable(): boolean { return !this.#posting && this.#machine.enable(); }
  /** $FS: pause. The relay opens once the EV has stopped (or after 3 s). */
  sleep(reason: SleepReason = 'command'): boolean { return !this.#posting && this.#machine.sleep(reason); }
  /** $FD: stop now: relay open, pilot −12 V. */
  disable(): boolean { return !this.#posting && this.#machine.disable(); }
  /** A short press from a host that reports press edges. With the button disabled ($FF B 0) it is only reported ($AN 0). */
  button(): void { this.#buttonEvent('short'); }
  /** $F1: a short press, whether or not the physical button is disabled. */
  simulateButton(): void { if (!this.#posting) this.#machine.toggle(); }
  /** $SV: the voltage used for energy, mV (volatile). */
  setVoltage(mV: number): void { this.#voltage = mV; }
  /** $SK: lifetime energy, Wh. */
  setTotalEnergy(wh: number): void { this.#session.setTotalWh(wh); }
  /** $SY: a heartbeat pulse; false while a miss is unacknowledged. */
  pulseHeartbeat(): boolean { return this.#offer.heartbeat.pulse(this.#clock.now()); }

  /** The GFCI sensor's rising edge, delivered by the host as it happens: the relay opens inside this call. */
  gfciTripped(): void {
    // The power-on self test's edge belongs to the test; otherwise only a running controller acts.
    if (this.#running || this.#selfTest.running) this.#machine.gfciTripped();
  }

  /** $SC (offer.ts): `save` writes the level's configured current, `hardware` the one-time maximum. */
  setCurrent(amps: number, mode: 'save' | 'volatile' | 'hardware' = 'save'): CurrentResult {
    const result = this.#offer.setCurrent(amps, mode);
    this.#emit('change');
    return result;
  }

  /** $SL: 1, 2 or 'A' (auto). */
  setServiceLevel(level: ServiceLevel | 'A'): void {
    this.#settings.values.flags = withLevel(this.#settings.values.flags, level);
    this.#afterServiceLevel();
  }

  /** $FF: enables or disables a feature; `bit` is the Feature disable bit. */
  setFeature(bit: number, enabled: boolean): void {
    const s = this.#settings.values;
    s.flags = enabled ? s.flags & ~bit : s.flags | bit;
    this.#settings.save();
  }

  /** $SA. */
  setCalibration(scale: number, offset: number): void {
    this.#settings.values.scale = scale;
    this.#settings.values.offset = offset;
    this.#current.calibrate(scale, offset);
    this.#settings.save();
  }

  /** $S3 (15-minute units): only while an EV is connected (B or C). */
  setTimeLimit(units: number): boolean {
    if (!this.#machine.acceptsLimits()) return false;
    this.#session.limits.time = units;
    this.#emit('change');
    return true;
  }

  /** $SH (kWh): only while an EV is connected (B or C). */
  setEnergyLimit(kwh: number): boolean {
    if (!this.#machine.acceptsLimits()) return false;
    this.#session.limits.energy = kwh;
    this.#emit('change');
    return true;
  }

  /** $ST: the delay timer (all zeros = off); start == stop is invalid. Takes effect within 1 s. */
  setTimer(sh: number, sm: number, eh: number, em: number): boolean {
    const w: [number, number, number, number] = [sh, sm, eh, em];
    if (!validWindow(w)) return false;
    this.#settings.values.timer = w;
    this.#machine.delayTimer.clearOverride();
    this.#lastTimerCheck = -Infinity; // at the next tick
    this.#settings.save();
    this.#emit('change');
    return true;
  }

  /** $SY interval amps. */
  configureHeartbeat(interval: number, amps: number): void {
    this.#offer.configureHeartbeat(interval, amps, this.#clock.now());
    this.#emit('change');
  }

  /** $SY 165: acknowledges a missed pulse and restores the current (fails while hot). */
  acknowledgeHeartbeat(): boolean {
    const ok = this.#offer.acknowledgeHeartbeat(this.#clock.now());
    if (ok) this.#emit('change');
    return ok;
  }

  // -------------------------------------------------------------------------
  // The control loop

  #tick(): void {
    if (!this.#running || this.#posting) return;
    const now = this.#clock.now();
    const dt = now - this.#lastTick;
    this.#lastTick = now;
    const button = this.#buttonInput;
    if (button) {
      // Only a press or a press being timed can make an event: most ticks the button is up.
      const pressed = button.read();
      if (pressed || this.#buttonTiming) {
        const e = this.#buttonTimer.sample(pressed, now);
        this.#buttonTiming = this.#buttonTimer.timing;
        if (e !== 'none') this.#buttonEvent(e);
      }
    }
    if (this.#faults.latch === 'permanent') return;

    if (this.#sense.relayClosed) {
      // Energy from the latest one-cycle reading, which exists from the first tick after the close (docs/safety.md).
      if (now >= this.#current.quietUntil) this.#current.measure(now); // most ticks no reading is due
      const mA = this.#current.lastMilliamps;
      const p = this.#pending;
      // The same voltage and reading as the last tick: the session counts these ms when next asked (session.ts PendingCharge's rule).
      if (mA === p.mA && this.#voltage === p.mV && dt >= 0 && (dt | 0) === dt && p.ms + dt < p.room) p.ms += dt;
      else this.#session.accrue(this.#voltage, mA, dt);
    } else {
      this.#current.reset();
    }
    // offer.heartbeatMissed, one call fewer on every tick.
    if (this.#offer.heartbeat.expired(now)) {
      this.#offer.fallBack();
      this.#logger?.log(`controller: heartbeat missed, falling back to ${this.#offer.heartbeat.fallback} A`);
      this.#emit('change');
    }
    if (this.#temperatures && now - this.#lastTemperatureAt >= TEMPERATURE_INTERVAL_MS) {
      this.#lastTemperatureAt = now;
      this.#temperatureReadings = this.#temperatures.read();
      // The lower levels cut the offer; panic is a fault the state machine's checks raise.
      this.#offer.temperature(this.featureEnabled(Feature.TemperatureCheckDisabled) ? hottest(this.#temperatureReadings) : null);
    }
    if (this.#sense.relayOpening) this.#relay.poll(now); // a delayed opening is pending
    if (now - this.#lastTimerCheck >= DELAY_TIMER_CHECK_MS && this.#machine.followTimer(this.rtc)) this.#lastTimerCheck = now;
    this.#machine.step(now);
  }

  /** A short press toggles sleep; a press of a disabled button is only reported. */
  #buttonEvent(e: ButtonEvent): void {
    if (e === 'none') return;
    if (e === 'wifi') return this.#emit('wifi');
    if (!this.featureEnabled(Feature.ButtonDisabled)) return this.#emit(e === 'short' ? 'press-short' : 'press-long');
    if (e === 'short') this.#machine.toggle();
    // A long press opens OpenEVSE's LCD menu; there is no LCD here.
  }

  #afterServiceLevel(): void {
    this.#settings.save();
    this.#voltage = this.#millivolts[this.serviceLevel - 1];
    this.#offer.restore();
    this.#emit('change');
  }

  #emit(event: ControllerEvent): void {
    // Indexed: `for…of` would allocate an iterator on every tick.
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i](event);
  }
}

// The J1772 charge controller, as an orchestrator: it wires the host's ports
// to the modules next to it (controller-parts.ts), runs the power-on self
// test, then ticks its own timer (control-loop.ts: the button, current and
// energy, the heartbeat, the thermometers, the delay timer, then the state
// machine). Its public surface is what RAPI needs: status to read and
// commands to give.
//
// Where things are decided (docs/controller.md has the map): state-machine.ts
// (the J1772 states and their transitions), debounce.ts, faults.ts (the fault
// table, the checks, latching, GFCI/no-ground retry), offer.ts (the current
// offered and its limits), session.ts (charge time, energy, limits), pause.ts
// (sleep and wake by hand and by the clock), charging-current.ts, relay.ts,
// post.ts, gfci.ts, sleep.ts, delay-timer.ts, button.ts, service-level.ts,
// settings.ts. Timings follow OpenEVSE 8.2.3 where it agrees with IEC
// 61851-1; docs/safety.md maps each to its test.

import type { AcSense, Clock, GfciInput, Logger, PilotSampler, TimerId, Timers } from '../ports';
import { ControlLoop } from './control-loop';
import type { ControllerOptions } from './controller-options';
import type { ChargingCurrent } from './charging-current';
import { controllerParts } from './controller-parts';
import { ControllerWires, type ControllerListener } from './controller-wires';
import { validWindow } from './delay-timer';
import type { EnergyMeter } from './energy';
import { EvseState, Feature, VFlag } from './evse-state';
import type { FaultSupervisor, HardFault, RetryPolicy } from './faults';
import type { GfciSelfTest } from './gfci';
import type { Heartbeat } from './heartbeat';
import type { CurrentOffer, CurrentResult } from './offer';
import { classifyPilot, DEFAULT_THRESHOLDS, MIN_AMPS, type PilotThresholds } from './pilot';
import { PowerOnSelfTest, type PostResult } from './post';
import type { Relay } from './relay';
import { Rtc } from './rtc';
import { L1_MILLIVOLTS, L2_MILLIVOLTS, levelOf, liveLines, withDetected, withLevel, type ServiceLevel } from './service-level';
import type { ChargeSession } from './session';
import type { ControllerSettings, SettingsStore } from './settings';
import type { SleepReason } from './sleep';
import { EvseStateMachine } from './state-machine';
import { PauseControl } from './pause';

// The options, the events and the names the first versions exported from here.
export * from './controller-options';

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
  readonly #logger?: Logger;
  readonly #thresholds: PilotThresholds;
  readonly #tickMs: number;
  readonly #millivolts: [number, number];
  readonly #settings: SettingsStore;
  readonly #relay: Relay;
  readonly #offer: CurrentOffer;
  readonly #session: ChargeSession;
  readonly #current: ChargingCurrent;
  readonly #faults: FaultSupervisor;
  readonly #selfTest: GfciSelfTest;
  readonly #machine: EvseStateMachine;
  /** Sleep and wake by the button, the delay timer and limits (pause.ts). */
  readonly #pause: PauseControl;
  /** What runs on every tick (control-loop.ts). */
  readonly #control: ControlLoop;
  /** The state machine's and the control loop's options, and the listeners (controller-wires.ts). */
  readonly #wires: ControllerWires;

  #post?: PowerOnSelfTest;
  #loop?: TimerId;
  #running = false;
  /** `start` has run before (a later one is a power cycle). */
  #started = false;
  #posting = false;

  constructor(options: ControllerOptions) {
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#sampler = options.pilotSampler;
    this.#ac = options.acSense;
    this.#gfci = options.gfci;
    this.#logger = options.logger;
    this.#thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.#millivolts = [options.l1Millivolts ?? L1_MILLIVOLTS, options.l2Millivolts ?? L2_MILLIVOLTS];
    this.firmware = options.firmware ?? '8.2.3';
    this.rtc = new Rtc(options.clock);
    const parts = controllerParts(options);
    const { faults, selfTest, relay, settings, offer, session, current } = parts;
    [this.#tickMs, this.retry, this.#faults, this.#selfTest, this.#relay] = [parts.tickMs, parts.retry, faults, selfTest, relay];
    [this.#settings, this.#offer, this.#session, this.#current] = [settings, offer, session, current];
    // One options object for the state machine and the control loop, whose callbacks are its methods (controller-wires.ts).
    const wires = new ControllerWires(options, parts, this.#thresholds, this.#millivolts, this.rtc);
    this.#wires = wires;
    this.#machine = wires.machine = new EvseStateMachine(wires);
    this.#pause = wires.pause = new PauseControl(this.#machine, settings, faults);
    this.#control = wires.control = new ControlLoop(wires);
    this.#control.millivolts = this.#millivolts[this.serviceLevel - 1];
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
  get millivolts(): number { return this.#control.millivolts; }
  get energy(): EnergyMeter { return this.#session.energy; }
  get heartbeat(): Heartbeat { return this.#offer.heartbeat; }
  /** Charging seconds of the current or last session. */
  get elapsedSeconds(): number { return Math.floor(this.#session.chargeMs / 1000); }
  get temperatures(): readonly (number | null)[] { return this.#control.temperatures; }
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

  addListener(listener: ControllerListener): void {
    this.#wires.listeners.push(listener);
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
    this.#control.millivolts = this.#millivolts[this.serviceLevel - 1];
    this.#offer.restore();
    this.#settings.save();
    const now = this.#clock.now();
    this.#control.begin(now);
    this.#offer.heartbeat.configure(s.heartbeatInterval, s.heartbeatAmps, now);
    this.#relay.set(false);
    this.#offer.high();
    if (r.failure) this.#logger?.log(`controller: power-on self test failed, state ${r.failure}`);
    this.#machine.booted(r.failure, r.levelSkipped);
    // Auto-start off ($FF S 0): come up asleep, so no current is offered before the gateway says so.
    if (!r.failure && s.flags & Feature.AutoStartDisabled) this.#machine.sleep('command');
    this.#wires.emit('boot');
    if (r.failure) this.#wires.emit('change');
    // After a failure too: the button still works (a 10 s press asks for the Wi-Fi access point).
    const control = this.#control;
    this.#loop = this.#timers.repeat(() => {
      if (this.#running && !this.#posting) control.tick();
    }, this.#tickMs);
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
  button(): void { this.#wires.onButton('short'); }
  /** $F1: a short press, whether or not the physical button is disabled. */
  simulateButton(): void { if (!this.#posting) this.#pause.toggle(); }
  /** $SV: the voltage used for energy, mV (volatile). */
  setVoltage(mV: number): void { this.#control.millivolts = mV; }
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
    this.#wires.emit('change');
    return result;
  }

  /** $SL: 1, 2 or 'A' (auto). */
  setServiceLevel(level: ServiceLevel | 'A'): void {
    this.#settings.values.flags = withLevel(this.#settings.values.flags, level);
    this.#wires.afterServiceLevel();
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
  setTimeLimit(units: number): boolean { return this.#setLimit('time', units); }
  /** $SH (kWh): only while an EV is connected (B or C). */
  setEnergyLimit(kwh: number): boolean { return this.#setLimit('energy', kwh); }

  #setLimit(limit: 'time' | 'energy', value: number): boolean {
    if (!this.#pause.acceptsLimits()) return false;
    this.#session.limits[limit] = value;
    this.#machine.limitsChanged();
    this.#wires.emit('change');
    return true;
  }

  /** $ST: the delay timer (all zeros = off); start == stop is invalid. Takes effect within 1 s. */
  setTimer(sh: number, sm: number, eh: number, em: number): boolean {
    const w: [number, number, number, number] = [sh, sm, eh, em];
    if (!validWindow(w)) return false;
    this.#settings.values.timer = w;
    this.#machine.delayTimer.clearOverride();
    this.#control.timerChanged();
    this.#settings.save();
    this.#wires.emit('change');
    return true;
  }

  /** $SY interval amps. */
  configureHeartbeat(interval: number, amps: number): void {
    this.#offer.configureHeartbeat(interval, amps, this.#clock.now());
    this.#wires.emit('change');
  }

  /** $SY 165: acknowledges a missed pulse and restores the current (fails while hot). */
  acknowledgeHeartbeat(): boolean {
    const ok = this.#offer.acknowledgeHeartbeat(this.#clock.now());
    if (ok) this.#wires.emit('change');
    return ok;
  }
}

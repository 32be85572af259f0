// The EVSE state and its transitions: A (no EV), B (connected), C (charging),
// sleeping, disabled and the fault states. On every control tick it reads the
// pilot, runs the periodic safety checks, and enters the state the pilot asks
// for once the debounce says it has held; events from outside (a GFCI edge,
// $FS, $FE, $FD, a button press, the delay timer's window) arrive as method
// calls. Its outputs are commands to the relay
// and to the current offer (the pilot generator).
//
// Rules live next door: debounce.ts (how long a pilot state must hold),
// evse-state.ts (which state a pilot reading asks for), faults.ts (the fault
// table, latching and GFCI/no-ground retries), gfci.ts (the self test before
// every close), sleep.ts (when a sleeping station opens its relay),
// delay-timer.ts (the $ST window).

import type { AcSense, Clock, GfciInput, Logger, PilotSampler } from '../ports';
import type { ChargingCurrent } from './charging-current';
import { DEBOUNCE_DOWN_MS, PilotDebounce } from './debounce';
import { DelayTimer, windowEnabled } from './delay-timer';
import { EvseState, Feature, isFaultState, mayKeepPower, pilotStateCode, requestedState, VFlag } from './evse-state';

import type { CheckSet, FaultSupervisor, Sense } from './faults';
import type { GfciSelfTest } from './gfci';
import { GROUND_CHECK_DELAY_MS } from './ground';
import type { CurrentOffer } from './offer';
import { classifyPilot, PILOT_DIODE_FAULT, PILOT_STATE_MASK, PILOT_STATES, pilotCode, type PilotThresholds } from './pilot';
import type { Relay } from './relay';
import type { Rtc } from './rtc';
import { detectLevel } from './service-level';
import type { ChargeSession } from './session';
import type { SettingsStore } from './settings';
import { sleepOpensRelay, type SleepReason } from './sleep';

/** pilotStateCode by pilot index (A–F). */
const PILOT_STATE_CODES: readonly number[] = PILOT_STATES.map(pilotStateCode);

/**
 * requestedState without a diode fault, by `(pilot index << 2) | (pwm ? 2 : 0)
 * | (vent check ? 1 : 0)`: worked out from requestedState once, so the tick
 * looks its answer up instead of calling it.
 */
const REQUESTED: readonly number[] = PILOT_STATES.flatMap((p) => [0, 1, 2, 3].map((k) => requestedState(p, false, (k & 2) !== 0, (k & 1) !== 0)));

export interface EvseStateMachineOptions {
  clock: Clock;
  pilotSampler: PilotSampler;
  acSense: AcSense;
  gfci: GfciInput;
  thresholds: PilotThresholds;
  settings: SettingsStore;
  relay: Relay;
  offer: CurrentOffer;
  session: ChargeSession;
  current: ChargingCurrent;
  faults: FaultSupervisor;
  selfTest: GfciSelfTest;
  /** What the periodic checks look at, kept by the relay, the offer and the current (faults.ts restingSense); the tick fills in the rest. */
  sense: Sense;
  logger?: Logger;
  /** Something `$AT` may report has changed. */
  onChange(): void;
  /** The first charge after a power-on with an EV plugged in found both lines live. */
  onL2Detected(): void;
}

export class EvseStateMachine {
  /** The `$ST` window's manual override (a press, `$F1` or a limit), cleared by unplugging. */
  readonly delayTimer = new DelayTimer();
  readonly #o: EvseStateMachineOptions;
  /** The fault supervisor's checks, asked directly on every tick. */
  readonly #checks: CheckSet;
  readonly #debounce = new PilotDebounce();
  /** The debounce was last asked with a state other than the one in force (it may hold a candidate). */
  #debouncing = false;
  /** What the periodic checks look at: the tick fills in what the relay, the offer and the current do not keep there. */
  readonly #sense: Sense;
  #state: number = EvseState.Unknown;
  #pilotState: number = EvseState.Unknown;
  /** The volatile flags this machine raises (the controller adds relay, limit and timer flags). */
  #vflags: number = VFlag.SessionEnded;
  #sleepingSince = -1;
  /** What `$AT` reports as it stood at the end of the last tick (#tellIfMoved). */
  readonly #atEnd = { state: -1, pilot: -1, vflags: -1, amps: -1, latch: '', time: -1, energy: -1 };
  #sleepReason: SleepReason | undefined;
  /** In a fault state: since when the pilot has shown A (-1: it does not). */
  #unpluggedSince = -1;

  constructor(options: EvseStateMachineOptions) {
    this.#o = options;
    this.#checks = options.faults.checks;
    this.#sense = options.sense;
  }

  get state(): number {
    return this.#state;
  }

  /** The state the pilot shows (A–D, 05 without a diode, 00 for E/F), before the debounce. */
  get pilotState(): number {
    return this.#pilotState;
  }

  get vflags(): number {
    return this.#vflags;
  }

  /** Why the station sleeps; kept after waking until the next sleep. */
  get sleepReason(): SleepReason | undefined {
    return this.#sleepReason;
  }

  // --- Life cycle

  /** Power-on (or `$FR`): the state is Unknown until the self test ends; `forget` drops the volatile flags too. */
  restart(forget: boolean): void {
    this.#state = EvseState.Unknown;
    this.#debounce.clear();
    if (forget) this.#vflags = VFlag.SessionEnded;
  }

  /** The power-on self test ended: its failure (0 none) becomes the state, latched until power cycle. */
  booted(failure: number, levelSkipped: boolean): void {
    if (levelSkipped) this.#vflags |= VFlag.AutoServiceLevelSkipped;
    if (failure) this.#o.faults.raise(failure, this.#o.clock.now(), -1, 'permanent');
    this.#state = this.#o.faults.standing || EvseState.Unknown;
  }

  // --- Events

  /**
   * $FE: leave Disabled or Sleeping. A fault latched before `$FD` stands
   * again. Woken while the relay is still closed (the sleep's wait for the EV
   * to stop), the station goes back to C if the EV still draws, and otherwise
   * opens the relay now: it never waits out a debounce with power on.
   */
  enable(): boolean {
    const st = this.#state;
    if (st !== EvseState.Disabled && st !== EvseState.Sleeping) return true;
    const o = this.#o;
    this.#vflags &= ~VFlag.LimitSleep;
    this.#sleepingSince = -1;
    this.#sleepReason = undefined;
    if (o.faults.standing) {
      o.relay.set(false);
      o.offer.high();
      this.#setState(o.faults.standing);
      return true;
    }
    if (o.relay.closed && st === EvseState.Sleeping && mayKeepPower(this.#readPilot(), this.#ventAllowed())) {
      o.offer.advertise();
      this.#debounce.clear();
      this.#setState(EvseState.C);
      return true;
    }
    o.relay.set(false);
    o.offer.high();
    this.#setState(EvseState.Unknown);
    return true;
  }

  /** $FS and its kin: the pilot withdraws the offer now; the relay opens once the EV has stopped (or after 3 s). */
  sleep(reason: SleepReason): boolean {
    if (this.#o.faults.standing !== 0 || isFaultState(this.#state)) return false;
    if (this.#state === EvseState.Sleeping) return true;
    this.#o.offer.high();
    this.#sleepingSince = this.#o.clock.now();
    this.#sleepReason = reason;
    this.#o.selfTest.cancel();
    this.#setState(EvseState.Sleeping);
    return true;
  }

  /** A short press or `$F1`: sleep or wake. The user overrides the delay timer until its window agrees again. */
  toggle(): void {
    const st = this.#state;
    const resting = st === EvseState.Sleeping || st === EvseState.Disabled;
    if (!resting && (this.#o.faults.standing !== 0 || isFaultState(st))) return;
    if (windowEnabled(this.#o.settings.values.timer)) this.delayTimer.override();
    if (resting) this.enable();
    else this.sleep('button');
  }

  /** The delay timer's window (checked once a second); false when the state is not one it acts on (ask again next tick). */
  followTimer(rtc: Rtc): boolean {
    const st = this.#state;
    if (st === EvseState.Disabled || st === EvseState.Unknown || isFaultState(st) || this.#o.faults.standing !== 0) return false;
    const sleeping = st === EvseState.Sleeping;
    const action = this.delayTimer.decide(this.#o.settings.values.timer, rtc.minuteOfDay(), sleeping, sleeping && this.#sleepReason === 'timer');
    if (action === 'sleep') this.sleep('timer');
    else if (action === 'wake') this.enable();
    return true;
  }

  /** `$S3`/`$SH` are accepted only with an EV connected (B or C); a limit says "charge now, this much", so it overrides the delay timer. */
  acceptsLimits(): boolean {
    if (this.#state !== EvseState.B && this.#state !== EvseState.C) return false;
    if (windowEnabled(this.#o.settings.values.timer)) this.delayTimer.override();
    return true;
  }

  /** A `$S3`/`$SH` limit was reached: sleep, flagged so that unplugging wakes the station. */
  limitReached(): void {
    this.#o.session.limits.clear();
    this.#vflags |= VFlag.LimitSleep;
    this.sleep('limit');
  }

  /** $FD: stop now: relay open, pilot −12 V. A latched fault stays latched (faults.ts) and stands again after `$FE`. */
  disable(): boolean {
    const o = this.#o;
    if (o.faults.hard === 'permanent') return false;
    o.selfTest.cancel();
    o.relay.set(false);
    o.offer.low();
    this.#setState(EvseState.Disabled);
    return true;
  }

  /** The GFCI sensor's rising edge: the relay opens inside this call (during a self test the edge is the test's). */
  gfciTripped(): void {
    const o = this.#o;
    if (o.selfTest.running) {
      o.selfTest.tripped();
      return;
    }
    o.relay.set(false);
    this.#fault(EvseState.GfciFault);
  }

  // --- The tick

  /** One control tick: read the pilot, check, debounce, transition. */
  step(now: number): void {
    if (this.#state === EvseState.Disabled) return;
    const o = this.#o;
    const reading = o.pilotSampler.read();
    const mode = o.offer.mode;
    const pwm = mode === 'pwm';
    // The reading as a number (pilot.ts pilotCode): no object per tick.
    const code = pilotCode(reading.high, reading.low, pwm, o.thresholds);
    const index = code & PILOT_STATE_MASK;
    const flags = o.settings.values.flags;
    // Connected is B, C, D or E; plugging and unplugging are not seen while the pilot is held at −12 V.
    const connected = index !== 0 && index !== 5;
    if (connected !== ((this.#vflags & VFlag.EvConnected) !== 0) && mode !== 'low') this.#trackConnection(connected);
    const diode = code >= PILOT_DIODE_FAULT && (flags & Feature.DiodeCheckDisabled) === 0;
    this.#pilotState = diode ? EvseState.DiodeCheckFailed : PILOT_STATE_CODES[index];

    const st = this.#state;
    if (st >= EvseState.D && st <= EvseState.RelayClosureFault) this.#whileFaulted(now, PILOT_STATES[index]); // isFaultState, inlined
    else if (this.#checkSafety(now, flags)) return;
    else if (this.#state === EvseState.Sleeping) {
      if (o.relay.closed && sleepOpensRelay(PILOT_STATES[index], o.current.milliamps, now - this.#sleepingSince, this.#ventAllowed())) o.relay.set(false);
    } else {
      const wanted = diode ? EvseState.DiodeCheckFailed : REQUESTED[(index << 2) | (pwm ? 2 : 0) | ((flags & Feature.VentCheckDisabled) === 0 ? 1 : 0)];
      // A self test runs only on the way into C: it goes on, or the EV stopped asking.
      if (o.selfTest.running) {
        if (wanted === EvseState.C) this.#stepSelfTest(now);
        else o.selfTest.cancel();
      }
      // The debounce is asked only while the pilot asks for another state or was asking for one (most ticks it asks for none).
      const current = this.#state;
      if (wanted !== current || this.#debouncing) {
        this.#debouncing = wanted !== current;
        if (this.#debounce.settled(current, wanted, now)) this.#enter(wanted, now);
      }
      if (this.#state === EvseState.C) {
        // session.limitReached, asked only when a limit is set (most sessions have none).
        const limits = o.session.limits;
        if ((limits.time > 0 || limits.energy > 0) && o.session.limitReached) this.limitReached();
      }
    }
    this.#tellIfMoved();
  }

  /**
   * At the end of a tick, `onChange` if anything `$AT` reports moved since
   * the end of the last tick (state, pilot, the offer, the flags it carries):
   * what changed in between, by this tick or by a command, is told once here.
   * A tick that moved none of it, most ticks, tells no one.
   */
  #tellIfMoved(): void {
    const o = this.#o;
    const at = this.#atEnd;
    const limits = o.session.limits;
    const amps = this.#sense.offeredAmps; // the offer keeps it there
    const latch = o.faults.latch;
    if (
      at.state === this.#state && at.pilot === this.#pilotState && at.vflags === this.#vflags && at.amps === amps &&
      at.latch === latch && at.time === limits.time && at.energy === limits.energy
    )
      return;
    at.state = this.#state;
    at.pilot = this.#pilotState;
    at.vflags = this.#vflags;
    at.amps = amps;
    at.latch = latch;
    at.time = limits.time;
    at.energy = limits.energy;
    o.onChange();
  }

  #enter(state: number, now: number): void {
    const o = this.#o;
    switch (state) {
      case EvseState.A:
        o.relay.set(false);
        o.offer.high();
        o.session.limits.clear();
        o.faults.retry.reset();
        this.#setState(state);
        break;
      case EvseState.B:
        o.relay.set(false);
        o.selfTest.cancel();
        o.offer.advertise();
        this.#setState(state);
        break;
      case EvseState.C:
        o.offer.advertise();
        if (o.settings.values.flags & Feature.GfciSelfTestDisabled) this.#closeRelay();
        else if (!o.selfTest.running) {
          // UL: prove the GFCI works before every relay close; the state becomes C when the relay closes.
          o.selfTest.begin(now);
          this.#stepSelfTest(now);
        }
        break;
      case EvseState.D:
      case EvseState.DiodeCheckFailed:
        this.#fault(state);
        break;
      default:
        // Unknown: the pilot is shorted or negative; no power until it reads sensibly.
        o.relay.set(false);
        this.#setState(state);
    }
  }

  #stepSelfTest(now: number): void {
    const result = this.#o.selfTest.step(now);
    if (result === 'passed') this.#closeRelay();
    else if (result === 'failed') this.#fault(EvseState.GfciTestFailed);
  }

  /** Closes the relay, then reports C (so the $AT for C already shows the relay closed). */
  #closeRelay(): void {
    // Belt and braces: no path should get here with a fault standing.
    if (this.#o.faults.standing) return;
    this.#o.faults.resetChecks();
    this.#o.relay.set(true);
    // Closing can trip the GFCI at once (re-entrantly); then the fault stands.
    if (this.#o.relay.closed) this.#setState(EvseState.C);
  }

  /** The periodic checks of faults.ts, in every non-fault state; true when one faulted. */
  #checkSafety(now: number, flags: number): boolean {
    const o = this.#o;
    // The relay's fields, the current and the offer are already in the sense: their owners keep them there.
    const s = this.#sense;
    const closed = s.relayClosed;
    s.now = now;
    const lines = o.acSense.read(); // liveLines(), inlined: this runs on every tick
    s.liveLines = (lines.line1 ? 1 : 0) + (lines.line2 ? 1 : 0);
    s.charging = this.#state === EvseState.C;
    s.gfci = closed && !o.selfTest.running && o.gfci.read();
    if (closed && this.#vflags & VFlag.AutoServiceLevelSkipped && now - s.relayChangedAt > GROUND_CHECK_DELAY_MS) {
      // An EV was plugged in at power-on, so the self test could not close the relay: the first charge shows the live lines.
      this.#vflags &= ~VFlag.AutoServiceLevelSkipped;
      if (detectLevel(s.liveLines) === 2) o.onL2Detected();
    }
    const fault = this.#checks.evaluate(s, flags);
    if (fault) this.#fault(fault);
    return fault !== 0;
  }

  /**
   * Raises a fault as the table in faults.ts describes it: the relay opens
   * (at once, or after the row's grace, never later than an opening already
   * due), the pilot goes to +12 V, and the state shown is the standing fault,
   * which a weaker fault does not replace (faults.ts `mayReplace`).
   */
  #fault(state: number): void {
    const o = this.#o;
    // The GFCI edge has already opened the relay, so "early" is judged by the last close.
    const spec = o.faults.raise(state, o.clock.now(), o.relay.closedAt);
    if (!spec) return;
    o.selfTest.cancel();
    o.relay.openAfter(spec.relayDelayMs);
    o.offer.high();
    if (spec.counter) o.settings.count(spec.counter);
    if (spec.vflag) this.#vflags |= spec.vflag;
    this.#debounce.clear();
    o.settings.save();
    const hard = o.faults.hard;
    o.logger?.log(`controller: fault ${state}${hard === 'none' ? '' : ` (latched until ${hard === 'unplug' ? 'unplug' : 'power cycle'})`}`);
    this.#setState(o.faults.standing);
  }

  /**
   * A tick in a fault state: a grace opening ends as soon as the EV stops
   * drawing (IEC 61851-1: ≤ 100 ms after B), the periodic checks still run
   * (a stronger fault may arrive), then unplug or the retry policy.
   */
  #whileFaulted(now: number, pilot: string): void {
    const o = this.#o;
    if (o.relay.opening && !mayKeepPower(pilot, this.#ventAllowed())) o.relay.set(false);
    this.#checkSafety(now, o.settings.values.flags);
    const standing = o.faults.standing;
    // An unplug clears a latch only once the pilot has shown A for the power-off debounce: one noisy 12 V reading is not an unplug.
    if (pilot !== 'A') this.#unpluggedSince = -1;
    else if (this.#unpluggedSince < 0) this.#unpluggedSince = now;
    const unplugged = this.#unpluggedSince >= 0 && now - this.#unpluggedSince >= DEBOUNCE_DOWN_MS;
    const step = o.faults.step(now, unplugged, standing === EvseState.GfciFault && o.gfci.read());
    if (step === 'unplugged') {
      if (o.relay.opening) o.relay.set(false);
      this.#setState(EvseState.Unknown);
    } else if (step === 'lockout') {
      o.logger?.log(`controller: fault ${standing} retried ${o.faults.retry.count} times; latched until unplug`);
    } else if (step === 'retry') {
      o.logger?.log(`controller: retrying after fault ${standing} (${o.faults.retry.retries}/${o.faults.retry.count})`);
      this.#setState(EvseState.Unknown);
    }
  }

  /** The pilot letter now (a command between ticks must not act on the last tick's reading). */
  #readPilot(): string {
    const o = this.#o;
    const r = o.pilotSampler.read();
    return classifyPilot(r.high, r.low, o.offer.mode === 'pwm', o.thresholds).state;
  }

  /** `$FF V 0` lets an EV in D (ventilation) charge; by default D is the vent-required fault. */
  #ventAllowed(): boolean {
    return (this.#o.settings.values.flags & Feature.VentCheckDisabled) !== 0;
  }

  /** Plugging in starts a session, unplugging ends it (not seen while the pilot is held at −12 V). */
  /** Called (from step) when the connection seen differs from the flag and the pilot is not held at −12 V. */
  #trackConnection(connected: boolean): void {
    if (connected) {
      this.#o.session.begin();
      this.#vflags = (this.#vflags | VFlag.EvConnected) & ~VFlag.SessionEnded;
      return;
    }
    this.#vflags = (this.#vflags & ~VFlag.EvConnected) | VFlag.SessionEnded;
    this.#o.session.end();
    this.delayTimer.clearOverride();
    if (this.#vflags & VFlag.LimitSleep && this.#state === EvseState.Sleeping) this.enable();
  }

  #setState(state: number): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#o.onChange();
  }
}

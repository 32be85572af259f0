// The EVSE state and its transitions: A (no EV), B (connected), C (charging),
// sleeping, disabled and the fault states. On every control tick it reads the
// pilot, runs the periodic safety checks, and enters the state the pilot asks
// for once the debounce says it has held; events from outside (a GFCI edge,
// $FS, $FE, $FD, a button press, the delay timer's window: pause.ts) arrive as
// method calls. Its outputs are commands to the relay and to the current offer
// (the pilot generator).
//
// Rules live next door: debounce.ts (how long a pilot state must hold),
// evse-state.ts (which state a pilot reading asks for), faults.ts (the fault
// table, latching and GFCI/no-ground retries), fault-response.ts (what a fault
// does), gfci.ts (the self test before every close), sleep.ts (when a sleeping
// station opens its relay), delay-timer.ts (the $ST window), at-report.ts
// (whether what $AT reports moved).

import type { AcSense, Clock, GfciInput, Logger, PilotSampler } from '../ports';
import { AtReport } from './at-report';
import type { ChargingCurrent } from './charging-current';
import { PilotDebounce } from './debounce';
import { DelayTimer } from './delay-timer';
import { EvseState, Feature, isFaultState, mayKeepPower, PILOT_STATE_CODES, REQUESTED, VFlag } from './evse-state';
import { FaultResponse } from './fault-response';
import type { CheckSet, FaultSupervisor, Sense } from './faults';
import type { GfciSelfTest } from './gfci';
import { GROUND_CHECK_DELAY_MS } from './ground';
import type { CurrentOffer } from './offer';
import { classifyPilot, PILOT_DIODE_FAULT, PILOT_STATE_MASK, PILOT_STATES, pilotCode, type PilotThresholds } from './pilot';
import type { Relay } from './relay';
import { detectLevel } from './service-level';
import type { ChargeSession } from './session';
import type { SettingsStore } from './settings';
import { sleepOpensRelay, type SleepReason } from './sleep';

// The codes the tick compares on every pass, as constants: a frozen object's
// property is one lookup more per use on the XS meter.
const DISABLED = EvseState.Disabled;
const SLEEPING = EvseState.Sleeping;
const FIRST_FAULT = EvseState.D;
const LAST_FAULT = EvseState.RelayClosureFault;

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
  /** Compare what `$AT` reports at the end of every tick, ungated: the rule the gate stands for (at-report.case.ts). */
  atEveryTick?: boolean;
}

export class EvseStateMachine {
  /** The `$ST` window's manual override (a press, `$F1` or a limit), cleared by unplugging. */
  readonly delayTimer = new DelayTimer();
  readonly #o: EvseStateMachineOptions;
  /** What the station does about a fault (fault-response.ts). */
  readonly #response: FaultResponse;
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
  /** What `$AT` reports as it stood at the end of the last tick that compared it (#tellIfMoved). */
  readonly #atEnd = new AtReport();
  /** Something `$AT` reports but the offer may have moved since the last comparison (the offer is compared every tick). */
  #moved = true;
  #sleepReason: SleepReason | undefined;

  constructor(options: EvseStateMachineOptions) {
    this.#o = options;
    this.#checks = options.faults.checks;
    this.#response = new FaultResponse(options);
    this.#sense = options.sense;
  }

  get state(): number { return this.#state; }

  /** The state the pilot shows (A–D, 05 without a diode, 00 for E/F), before the debounce. */
  get pilotState(): number { return this.#pilotState; }

  get vflags(): number { return this.#vflags; }

  /** Why the station sleeps; kept after waking until the next sleep. */
  get sleepReason(): SleepReason | undefined { return this.#sleepReason; }

  // --- Life cycle

  /** Power-on (or `$FR`): the state is Unknown until the self test ends; `forget` drops the volatile flags too. */
  restart(forget: boolean): void {
    this.#state = EvseState.Unknown;
    this.#sense.charging = false;
    this.#moved = true;
    this.#debounce.clear();
    if (forget) this.#vflags = VFlag.SessionEnded;
  }

  /** The power-on self test ended: its failure (0 none) becomes the state, latched until power cycle. */
  booted(failure: number, levelSkipped: boolean): void {
    if (levelSkipped) this.#vflags |= VFlag.AutoServiceLevelSkipped;
    if (failure) this.#o.faults.raise(failure, this.#o.clock.now(), -1, 'permanent');
    this.#state = this.#o.faults.standing || EvseState.Unknown;
    this.#sense.charging = false;
    this.#moved = true;
  }

  /** The controller set a session limit (`$S3`, `$SH`): `$AT` reports it at the end of the next tick. */
  limitsChanged(): void {
    this.#moved = true;
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
    this.#moved = true;
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

  /** A `$S3`/`$SH` limit was reached: sleep, flagged so that unplugging wakes the station. */
  limitReached(): void {
    this.#o.session.limits.clear();
    this.#vflags |= VFlag.LimitSleep;
    this.#moved = true;
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
    let st = this.#state;
    if (st === DISABLED) return;
    const o = this.#o;
    const s = this.#sense;
    const reading = o.pilotSampler.read();
    const mode = s.pilotMode; // the offer keeps it there
    const pwm = mode === 'pwm';
    // The reading as a number (pilot.ts pilotCode): no object per tick.
    const code = pilotCode(reading.high, reading.low, pwm, o.thresholds);
    const index = code & PILOT_STATE_MASK;
    const flags = o.settings.values.flags;
    // Connected is B, C, D or E; plugging and unplugging are not seen while the pilot is held at −12 V.
    const connected = index !== 0 && index !== 5;
    if (connected !== ((this.#vflags & VFlag.EvConnected) !== 0) && mode !== 'low') {
      this.#trackConnection(connected);
      st = this.#state; // unplugging wakes a station a limit put to sleep
    }
    const diode = code >= PILOT_DIODE_FAULT && (flags & Feature.DiodeCheckDisabled) === 0;
    const pilotState = diode ? EvseState.DiodeCheckFailed : PILOT_STATE_CODES[index];
    if (pilotState !== this.#pilotState) {
      this.#pilotState = pilotState;
      this.#moved = true;
    }

    const faulted = st >= FIRST_FAULT && st <= LAST_FAULT; // isFaultState, inlined
    // In a fault state, a grace opening ends as soon as the EV stops drawing (IEC 61851-1: ≤ 100 ms after B), before the checks.
    if (faulted && s.relayOpening && !mayKeepPower(PILOT_STATES[index], this.#ventAllowed())) o.relay.set(false);

    // The periodic checks (faults.ts), in every state but Disabled. The relay's fields, the current, the offer and the
    // self test are already in the sense: their owners keep them there; the tick fills in the rest (`charging`: #setState).
    const closed = s.relayClosed;
    s.now = now;
    const lines = o.acSense.read(); // liveLines(), inlined
    s.liveLines = (lines.line1 ? 1 : 0) + (lines.line2 ? 1 : 0);
    s.gfci = closed && !s.selfTesting && o.gfci.read();
    if (closed && this.#vflags & VFlag.AutoServiceLevelSkipped && now - s.relayChangedAt > GROUND_CHECK_DELAY_MS) this.#levelSeen();
    const fault = this.#checks.evaluate(s, flags);
    if (fault) this.#fault(fault);

    if (faulted) {
      // Unplug or the retry policy (fault-response.ts); either may move the latch.
      this.#moved = true;
      if (this.#response.tick(now, PILOT_STATES[index])) this.#setState(EvseState.Unknown);
    } else if (fault) return;
    else if (st === SLEEPING) {
      if (s.relayClosed && sleepOpensRelay(PILOT_STATES[index], s.milliamps, now - this.#sleepingSince, this.#ventAllowed())) o.relay.set(false);
    } else {
      const wanted = diode ? EvseState.DiodeCheckFailed : REQUESTED[(index << 2) | (pwm ? 2 : 0) | ((flags & Feature.VentCheckDisabled) === 0 ? 1 : 0)];
      // A self test runs only on the way into C: it goes on, or the EV stopped asking.
      if (s.selfTesting) {
        if (wanted === EvseState.C) this.#stepSelfTest(now);
        else o.selfTest.cancel();
      }
      // The debounce is asked only while the pilot asks for another state or was asking for one (most ticks it asks for none).
      const current = this.#state;
      if (wanted !== current || this.#debouncing) {
        this.#debouncing = wanted !== current;
        if (this.#debounce.settled(current, wanted, now)) this.#enter(wanted, now);
      }
      if (s.charging) {
        // session.limitReached, asked only when a limit is set (most sessions have none).
        const limits = o.session.limits;
        if ((limits.time > 0 || limits.energy > 0) && o.session.limitReached) this.limitReached();
      }
    }
    // Most ticks move nothing `$AT` reports: then the comparison is not made.
    if (this.#moved || s.offeredAmps !== this.#atEnd.amps) this.#tellIfMoved();
  }

  /**
   * At the end of a tick, `onChange` if anything `$AT` reports moved since
   * the end of the last tick that compared (state, pilot, the offer, the flags
   * it carries): what changed in between, by this tick or by a command, is told
   * once here.
   */
  #tellIfMoved(): void {
    this.#moved = this.#o.atEveryTick === true;
    const o = this.#o;
    const limits = o.session.limits;
    if (this.#atEnd.moved(this.#state, this.#pilotState, this.#vflags, this.#sense.offeredAmps, o.faults.latch, limits.time, limits.energy)) o.onChange();
  }

  #enter(state: number, now: number): void {
    const o = this.#o;
    switch (state) {
      case EvseState.A:
        o.relay.set(false);
        o.offer.high();
        o.session.limits.clear();
        this.#moved = true;
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
        else if (!this.#sense.selfTesting) {
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

  /** An EV was plugged in at power-on, so the self test could not close the relay: the first charge shows the live lines. */
  #levelSeen(): void {
    this.#vflags &= ~VFlag.AutoServiceLevelSkipped;
    this.#moved = true;
    if (detectLevel(this.#sense.liveLines) === 2) this.#o.onL2Detected();
  }

  /** Raises a fault (fault-response.ts); the state shown is the standing fault. */
  #fault(state: number): void {
    const spec = this.#response.raise(state);
    this.#moved = true; // the latch, and the flags below
    if (!spec) return;
    if (spec.vflag) this.#vflags |= spec.vflag;
    this.#debounce.clear();
    this.#setState(this.#o.faults.standing);
  }

  /** The pilot letter now (a command between ticks must not act on the last tick's reading). */
  #readPilot(): string {
    const o = this.#o;
    const r = o.pilotSampler.read();
    return classifyPilot(r.high, r.low, this.#sense.pilotMode === 'pwm', o.thresholds).state;
  }

  /** `$FF V 0` lets an EV in D (ventilation) charge; by default D is the vent-required fault. */
  #ventAllowed(): boolean {
    return (this.#o.settings.values.flags & Feature.VentCheckDisabled) !== 0;
  }

  /** Plugging in starts a session, unplugging ends it (not seen while the pilot is held at −12 V). */
  #trackConnection(connected: boolean): void {
    this.#moved = true;
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
    this.#sense.charging = state === EvseState.C;
    this.#moved = true;
    this.#o.onChange();
  }
}

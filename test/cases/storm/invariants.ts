// The safety invariants of docs/safety.md, checked after every millisecond of
// a storm. They look at the hardware models (what the contactor really does,
// what the pilot wire really shows, what the GFCI sensor really sees) and at
// what the controller reports, and they are written from the requirements,
// not from the controller's code: each names the rule it checks.

import { EvseState, Feature } from '../../../modules/j1772/evse-state';
import { classifyPilot, DEFAULT_THRESHOLDS, dutyToAmps } from '../../../modules/j1772/pilot';
import type { StormEvent, StormWorld, WorldObserver } from './world';

const S = EvseState;
const TICK = 10;
/** IEC 61851-1: power off within 100 ms of the EV leaving C. */
const POWER_OFF_MS = 100;
/** Sleep waits at most 3 s for the EV to stop drawing. */
const SLEEP_WAIT_MS = 3000;
/** Grace before the relay opens after over-temperature / over-current. */
const GRACE_MS: Record<number, number> = { [S.OverTemperature]: 5000, [S.OverCurrent]: 1000 };
/** The controller acts on an unplug (12 V on the wire) after its 25 ms debounce; this long counts as one. */
const UNPLUG_SEEN_MS = 20;
/** Latch strengths as RAPI reports them: 'none' (no fault or a retrying one) < unplug < permanent. */
const STRENGTH: Record<string, number> = { none: 0, unplug: 1, permanent: 2 };

export interface InvariantNames {
  [name: string]: string;
}

/** The invariants, by name, as docs/safety.md lists them. */
export const INVARIANTS: InvariantNames = {
  'relay-state': 'the relay is closed only in C, in a sleep\'s wait (≤ 3 s), or in an over-temperature / over-current grace',
  'self-test': 'every close of the relay with the pilot offering current follows a passed GFCI self test (unless $FF F 0)',
  'latched': 'no relay closes while a fault is latched or standing',
  'ev-left-c': 'the relay opens within 100 ms of the pilot leaving C (or D with ventilation allowed)',
  'fault-opens': 'a fault state opens the relay within one tick (after the 5 s / 1 s grace of over-temperature / over-current)',
  'gfci': 'the GFCI sensor never reads tripped with the relay closed for more than one tick outside a self test',
  'sleep-wait': 'a sleeping station keeps the relay closed for at most 3 s',
  'duty': 'a PWM pilot offers what the controller reports, which is at most its capacity and at least 6 A',
  'energy': 'the lifetime energy never decreases; the session energy only resets when an EV is plugged in',
  'latch-cleared': 'a latch weakens only by its clearing event: unplug for "until unplug", power cycle for both',
  'retry-delay': 'a retrying fault (GFCI, no ground) is not left before the retry delay unless the EV is unplugged or the power cycles',
};

export class InvariantChecker implements WorldObserver {
  /** Every state the controller was in, and how many ms the relay was closed: a storm that never charges or faults proves little. */
  readonly statesSeen = new Set<number>();
  relayClosedMs = 0;
  readonly #w: StormWorld;
  /** ms since which the pilot has shown neither C nor an allowed D, -1 while it does. */
  #pilotOutSince = -1;
  #sleepSince = -1;
  #faultSince = -1;
  #lastState: number = S.Unknown;
  #lastHard = 'none';
  #gfciSince = -1;
  #lastTotalWs = 0;
  #lastSessionWs = 0;
  #sessionOpen = false;
  /** Clearing events since the last check. */
  #unpluggedAt = -Infinity;
  #powerCycledAt = -Infinity;
  #rebootAt = -Infinity;
  /** Self-test bookkeeping: trips seen while the winding was driven, and whether one passed since the relay last opened. */
  #windingTrips = -1;
  #testPassed = false;
  #closedWithoutTest = '';
  #closedWhileLatched = '';

  constructor(world: StormWorld) {
    this.#w = world;
    const s = world.station;
    const mains = s.mains;
    const relaySet = mains.set.bind(mains);
    const c = s.controller;
    mains.set = (closed: boolean) => {
      const now = world.clock.now();
      if (closed && !mains.commanded && s.pilot.generator.mode !== 'low') {
        // (With the pilot at −12 V no EV can draw: the power-on test closes the relay then to see the lines.)
        if (!this.#testPassed && (c.settings.flags & Feature.GfciSelfTestDisabled) === 0) this.#closedWithoutTest ||= `closed at ${now} ms without a passed self test`;
        if (c.hardFault !== 'none') this.#closedWhileLatched ||= `closed at ${now} ms with a ${c.hardFault} latch`;
      }
      if (!closed) this.#testPassed = false;
      relaySet(closed);
    };
    const gfci = s.gfci;
    const windingSet = gfci.set.bind(gfci);
    gfci.set = (on: boolean) => {
      if (on && this.#windingTrips < 0) this.#windingTrips = gfci.trips;
      windingSet(on);
      if (!on && this.#windingTrips >= 0) {
        // The controller turns the winding off once the sensor tripped; the test passes when the sensor has cleared too.
        this.#testPassed = gfci.trips > this.#windingTrips;
        this.#windingTrips = -1;
      }
    };
  }

  applied(e: StormEvent, now: number): void {
    if (e.k === 'power') this.#powerCycledAt = now;
    if (e.k === 'rapi' && e.c === 'FR') this.#rebootAt = now;
  }

  tick(now: number): string | undefined {
    const w = this.#w;
    const s = w.station;
    const c = s.controller;
    const closed = s.mains.commanded;
    const state = c.state;
    const flags = c.settings.flags;
    const gen = s.pilot.generator;

    if (this.#closedWithoutTest) return `self-test: ${this.#closedWithoutTest}`;
    if (this.#closedWhileLatched) return `latched: ${this.#closedWhileLatched}`;

    // State bookkeeping.
    if (closed) this.relayClosedMs++;
    if (state !== this.#lastState) {
      this.statesSeen.add(state);
      if (state === S.Sleeping) this.#sleepSince = now;
      // (Back from $FD to the fault that stood before it: its time runs on.)
      if (isFault(state) && this.#lastState !== S.Disabled) this.#faultSince = now;
      const v = this.#leftRetry(this.#lastState, state, now);
      if (v) return v;
      this.#lastState = state;
    }

    // relay-state
    if (closed && state !== S.C && state !== S.Sleeping && GRACE_MS[state] === undefined && gen.mode !== 'low') {
      return `relay-state: relay closed in state ${hex(state)}`;
    }

    // ev-left-c: what the wire really shows. (Read again only when it can have changed: a new
    // generator output or an event; the EV model settles on its first read of either.)
    if (gen !== this.#wireGen || w.wireEpoch !== this.#wireEvents) {
      const r = s.pilot.read();
      this.#wireLetter = classifyPilot(r.high, r.low, gen.mode === 'pwm', DEFAULT_THRESHOLDS).state;
      this.#wireGen = gen;
      this.#wireEvents = w.wireEpoch;
      if (gen.mode === 'pwm') {
        // duty: checked when the offer changes.
        const offered = dutyToAmps(gen.duty);
        const amps = c.pilotAmps;
        if (Math.abs(offered - amps) > 0.2) return `duty: PWM offers ${offered.toFixed(2)} A, the controller reports ${amps} A`;
        if (amps > c.capacity || amps > c.maxAmps || amps < 6) return `duty: offer ${amps} A outside 6 A … capacity ${c.capacity} A (max ${c.maxAmps} A)`;
      }
    }
    const letter = this.#wireLetter;
    const keep = letter === 'C' || (letter === 'D' && (flags & Feature.VentCheckDisabled) !== 0);
    // An unplug, as far as anyone can tell: no EV, or the wire at 12 V long enough for the controller to act on it.
    if (letter !== 'A') this.#wireASince = -1;
    else if (this.#wireASince < 0) this.#wireASince = now;
    if (!s.ev.plugged || (this.#wireASince >= 0 && now - this.#wireASince >= UNPLUG_SEEN_MS)) this.#unpluggedAt = now;
    if (keep || !closed || gen.mode === 'low') this.#pilotOutSince = -1;
    else if (this.#pilotOutSince < 0) this.#pilotOutSince = now;
    else if (now - this.#pilotOutSince > POWER_OFF_MS) return `ev-left-c: pilot ${letter} for ${now - this.#pilotOutSince} ms with the relay closed (state ${hex(state)})`;

    // fault-opens
    if (closed && isFault(state)) {
      const grace = GRACE_MS[state];
      if (grace === undefined) return `fault-opens: relay closed in fault state ${hex(state)}`;
      if (now - this.#faultSince > grace + TICK) return `fault-opens: relay still closed ${now - this.#faultSince} ms after fault ${hex(state)}`;
    }

    // gfci: a tripped sensor with the relay closed must be acted on inside the edge (one tick allowed for a missed edge).
    if (closed && s.gfci.read() && this.#windingTrips < 0) {
      if (this.#gfciSince < 0) this.#gfciSince = now;
      else if (now - this.#gfciSince > TICK) return `gfci: sensor tripped with the relay closed for ${now - this.#gfciSince} ms`;
    } else this.#gfciSince = -1;

    // sleep-wait
    if (closed && state === S.Sleeping && now - this.#sleepSince > SLEEP_WAIT_MS + TICK) return `sleep-wait: relay closed ${now - this.#sleepSince} ms into a sleep`;


    // energy
    const e = c.energy;
    if (e.totalWs < this.#lastTotalWs) return `energy: lifetime energy fell from ${this.#lastTotalWs} to ${e.totalWs} Ws`;
    if (e.sessionWs < this.#lastSessionWs && !(e.sessionOpen && !this.#sessionOpen) && e.sessionWs !== 0) {
      return `energy: session energy fell from ${this.#lastSessionWs} to ${e.sessionWs} Ws`;
    }
    this.#lastTotalWs = e.totalWs;
    this.#lastSessionWs = e.sessionWs;
    this.#sessionOpen = e.sessionOpen;

    // latch-cleared
    const hard = c.hardFault;
    if (STRENGTH[hard] < STRENGTH[this.#lastHard]) {
      const power = this.#powerCycledAt >= 0 || this.#rebootAt >= 0 ? Math.max(this.#powerCycledAt, this.#rebootAt) : -Infinity;
      // ($FR restarts up to 3 s after the command, and clears what was latched meanwhile too.)
      const byPower = power > this.#latchedAt || now - this.#rebootAt <= SLEEP_WAIT_MS + TICK;
      const byUnplug = this.#lastHard === 'unplug' && this.#unpluggedAt > this.#latchedAt;
      if (!byPower && !byUnplug) return `latch-cleared: ${this.#lastHard} latch became ${hard} without its clearing event`;
    }
    if (STRENGTH[hard] > STRENGTH[this.#lastHard]) this.#latchedAt = now;
    this.#lastHard = hard;
    return undefined;
  }

  #latchedAt = 0;
  #wireASince = -1;
  #wireGen: unknown = undefined;
  #wireEvents = -1;
  #wireLetter = 'A';

  /** retry-delay: leaving GFCI / no-ground for a non-fault state needs the delay, an unplug or a power cycle. */
  #leftRetry(from: number, to: number, now: number): string | undefined {
    if ((from !== S.GfciFault && from !== S.NoGround) || isFault(to)) return undefined;
    const delay = this.#w.station.controller.retry.delayMs;
    const since = this.#faultSince;
    if (now - since >= delay) return undefined;
    if (this.#unpluggedAt >= since || this.#powerCycledAt >= since || this.#rebootAt >= since) return undefined;
    // ($FR restarts up to 3 s after the command: a fault raised meanwhile ends with that power cycle.)
    if (now - this.#rebootAt <= SLEEP_WAIT_MS + TICK) return undefined;
    if (to === S.Disabled) return undefined; // $FD: the fault stands again on $FE (precedence cases)
    return `retry-delay: left fault ${hex(from)} for ${hex(to)} after ${now - since} ms (delay ${delay} ms)`;
  }
}

function isFault(state: number): boolean {
  return state >= S.D && state <= S.RelayClosureFault;
}

function hex(state: number): string {
  return state.toString(16).padStart(2, '0');
}

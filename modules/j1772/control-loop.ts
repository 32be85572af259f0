// The control loop: what the controller does on every tick, in this order:
// the button (a press, or one being timed), current and energy while the
// relay is closed, the heartbeat, the thermometers once a second, a relay
// opening that is due, the delay timer once a second, then the state
// machine's step (the pilot, the checks, the transitions). A permanent latch
// stops everything after the button. The controller starts and stops the
// loop (controller.ts); the timings are its options.

import type { ButtonInput, Clock, Logger, TemperatureSensors } from '../ports';
import { ButtonTimer, type ButtonEvent } from './button';
import type { ChargingCurrent } from './charging-current';
import { DELAY_TIMER_CHECK_MS } from './delay-timer';
import { Feature } from './evse-state';
import type { FaultSupervisor, Sense } from './faults';
import type { CurrentOffer } from './offer';
import type { PauseControl } from './pause';
import type { Relay } from './relay';
import type { Rtc } from './rtc';
import type { ChargeSession, PendingCharge } from './session';
import type { SettingsStore } from './settings';
import type { EvseStateMachine } from './state-machine';
import { hottest } from './temperature';

export const TEMPERATURE_INTERVAL_MS = 1000;

export interface ControlLoopOptions {
  clock: Clock;
  button?: ButtonInput;
  temperatures?: TemperatureSensors;
  logger?: Logger;
  settings: SettingsStore;
  faults: FaultSupervisor;
  sense: Sense;
  current: ChargingCurrent;
  session: ChargeSession;
  offer: CurrentOffer;
  relay: Relay;
  machine: EvseStateMachine;
  pause: PauseControl;
  rtc: Rtc;
  /** A press the button timer made out (short, long, Wi-Fi). */
  onButton(e: ButtonEvent): void;
  /** The heartbeat was missed: the offer fell back. */
  onChange(): void;
}

export class ControlLoop {
  /** The voltage energy is counted at ($SV, or the service level's), mV. */
  millivolts = 0;
  readonly #o: ControlLoopOptions;
  // The parts the tick reads, each in a field of its own (one lookup each on every tick).
  readonly #clock: Clock;
  readonly #button?: ButtonInput;
  readonly #temperatures?: TemperatureSensors;
  readonly #faults: FaultSupervisor;
  readonly #sense: Sense;
  readonly #current: ChargingCurrent;
  readonly #session: ChargeSession;
  /** The session's charging not yet counted, which the tick adds to (session.ts PendingCharge). */
  readonly #pending: PendingCharge;
  readonly #offer: CurrentOffer;
  readonly #machine: EvseStateMachine;
  readonly #buttonTimer = new ButtonTimer();
  /** The button timer is timing a press (its `timing`, as it stood after the last sample). */
  #buttonTiming = false;
  #lastTick = 0;
  #lastTimerCheck = -Infinity;
  #lastTemperatureAt = -Infinity;
  #temperatureReadings: readonly (number | null)[] = [];

  constructor(options: ControlLoopOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.#button = options.button;
    this.#temperatures = options.temperatures;
    this.#faults = options.faults;
    this.#sense = options.sense;
    this.#current = options.current;
    this.#session = options.session;
    this.#pending = options.session.pending;
    this.#offer = options.offer;
    this.#machine = options.machine;
  }

  /** The thermometers' last readings, tenths of °C (null: none). */
  get temperatures(): readonly (number | null)[] {
    return this.#temperatureReadings;
  }

  /** The loop (re)starts at `now`, after the power-on self test: the delay timer is asked at the first tick. */
  begin(now: number): void {
    this.#lastTick = now;
    this.#lastTimerCheck = -Infinity;
  }

  /** The delay timer's window changed: ask it at the next tick. */
  timerChanged(): void {
    this.#lastTimerCheck = -Infinity;
  }

  tick(): void {
    const now = this.#clock.now();
    const dt = now - this.#lastTick;
    this.#lastTick = now;
    const button = this.#button;
    if (button) {
      // Only a press or a press being timed can make an event: most ticks the button is up.
      const pressed = button.read();
      if (pressed || this.#buttonTiming) {
        const e = this.#buttonTimer.sample(pressed, now);
        this.#buttonTiming = this.#buttonTimer.timing;
        if (e !== 'none') this.#o.onButton(e);
      }
    }
    if (this.#faults.latch === 'permanent') return;

    if (this.#sense.relayClosed) {
      // Energy from the latest one-cycle reading, which exists from the first tick after the close (docs/safety.md).
      if (now >= this.#current.quietUntil) this.#current.measure(now); // most ticks no reading is due
      const mA = this.#current.lastMilliamps;
      const p = this.#pending;
      const mV = this.millivolts;
      // The same voltage and reading as the last tick: the session counts these ms when next asked (session.ts PendingCharge's rule).
      if (mA === p.mA && mV === p.mV && dt >= 0 && (dt | 0) === dt && p.ms + dt < p.room) p.ms += dt;
      else this.#session.accrue(mV, mA, dt);
    } else {
      this.#current.reset();
    }
    // offer.heartbeatMissed, one call fewer on every tick.
    if (this.#offer.heartbeat.expired(now)) {
      // A fallback under 6 A is no offer at all: sleep until the gateway wakes us ($FE).
      if (!this.#offer.fallBack()) this.#machine.sleep('command');
      this.#o.logger?.log(`controller: heartbeat missed, falling back to ${this.#offer.heartbeat.fallback} A`);
      this.#o.onChange();
    }
    if (this.#temperatures && now - this.#lastTemperatureAt >= TEMPERATURE_INTERVAL_MS) this.#readTemperatures(this.#temperatures, now);
    if (this.#sense.relayOpening) this.#o.relay.poll(now); // a delayed opening is pending
    if (now - this.#lastTimerCheck >= DELAY_TIMER_CHECK_MS && this.#o.pause.followTimer(this.#o.rtc)) this.#lastTimerCheck = now;
    this.#machine.step(now);
  }

  #readTemperatures(sensors: TemperatureSensors, now: number): void {
    this.#lastTemperatureAt = now;
    this.#temperatureReadings = sensors.read();
    // The lower levels cut the offer; panic is a fault the state machine's checks raise.
    const checked = (this.#o.settings.values.flags & Feature.TemperatureCheckDisabled) === 0;
    this.#offer.temperature(checked ? hottest(this.#temperatureReadings) : null);
  }
}

// The one options object the controller hands both its state machine and its
// control loop: the parts they share, and their callbacks as methods (on the
// prototype, in flash on the device) rather than arrows made in the
// controller's constructor. Those two option literals, four arrows and their
// environments held about 70 slots of the ESP32's heap for the life of the
// controller, this object 24 (docs/moddable.md, "What holds the memory"). Both pieces
// call their callbacks as methods of the options object they keep
// (`this.#o.onChange()`), so this object is the listener. It keeps the
// controller's listeners too, since a change event starts here.

import type { AcSense, Clock, GfciInput, Logger, PilotSampler } from '../ports';
import type { ButtonEvent } from './button';
import type { ChargingCurrent } from './charging-current';
import type { ControlLoop, ControlLoopOptions } from './control-loop';
import type { ControllerEvent, ControllerOptions } from './controller-options';
import type { ControllerParts } from './controller-parts';
import { Feature } from './evse-state';
import type { FaultSupervisor, Sense } from './faults';
import type { GfciSelfTest } from './gfci';
import type { CurrentOffer } from './offer';
import type { PauseControl } from './pause';
import type { PilotThresholds } from './pilot';
import type { Relay } from './relay';
import type { Rtc } from './rtc';
import { levelOf, withDetected } from './service-level';
import type { ChargeSession } from './session';
import type { SettingsStore } from './settings';
import type { EvseStateMachine, EvseStateMachineOptions } from './state-machine';

/** A controller event's receiver: a function, or an object with this method (no closure needed). */
export type ControllerListener = ((event: ControllerEvent) => void) | { onControllerEvent(event: ControllerEvent): void };

export class ControllerWires implements EvseStateMachineOptions, ControlLoopOptions {
  readonly clock: Clock;
  readonly pilotSampler: PilotSampler;
  readonly acSense: AcSense;
  readonly gfci: GfciInput;
  readonly thresholds: PilotThresholds;
  readonly logger?: Logger;
  readonly atEveryTick?: boolean;
  readonly button: ControllerOptions['button'];
  readonly temperatures: ControllerOptions['temperatures'];
  readonly settings: SettingsStore;
  readonly relay: Relay;
  readonly offer: CurrentOffer;
  readonly session: ChargeSession;
  readonly current: ChargingCurrent;
  readonly faults: FaultSupervisor;
  readonly selfTest: GfciSelfTest;
  readonly sense: Sense;
  readonly rtc: Rtc;
  /** The voltage each service level counts energy at, mV (L1, L2). */
  readonly millivolts: readonly [number, number];
  readonly listeners: ControllerListener[] = [];
  // Set by the controller once made: each is made with this object as its options.
  machine!: EvseStateMachine;
  pause!: PauseControl;
  control!: ControlLoop;

  constructor(options: ControllerOptions, parts: ControllerParts, thresholds: PilotThresholds, millivolts: [number, number], rtc: Rtc) {
    this.clock = options.clock;
    this.pilotSampler = options.pilotSampler;
    this.acSense = options.acSense;
    this.gfci = options.gfci;
    this.thresholds = thresholds;
    this.logger = options.logger;
    this.atEveryTick = options.atEveryTick;
    this.button = options.button;
    this.temperatures = options.temperatures;
    this.settings = parts.settings;
    this.relay = parts.relay;
    this.offer = parts.offer;
    this.session = parts.session;
    this.current = parts.current;
    this.faults = parts.faults;
    this.selfTest = parts.selfTest;
    this.sense = parts.sense;
    this.rtc = rtc;
    this.millivolts = millivolts;
  }

  /** The state machine's and the control loop's: something `$AT` may report has changed. */
  onChange(): void {
    this.emit('change');
  }

  /** The state machine's: the first charge after a power-on found both lines live. */
  onL2Detected(): void {
    const values = this.settings.values;
    if (levelOf(values.flags) === 2) return;
    values.flags = withDetected(values.flags, 2);
    this.afterServiceLevel();
  }

  /** The control loop's: a short press toggles sleep; a press of a disabled button is only reported. */
  onButton(e: ButtonEvent): void {
    if (e === 'none') return;
    if (e === 'wifi') return this.emit('wifi');
    if ((this.settings.values.flags & Feature.ButtonDisabled) !== 0) return this.emit(e === 'short' ? 'press-short' : 'press-long');
    if (e === 'short') this.pause.toggle();
    // A long press opens OpenEVSE's LCD menu; there is no LCD here.
  }

  /** The service level changed ($SL, or L2 found): its voltage and current. */
  afterServiceLevel(): void {
    this.settings.save();
    this.control.millivolts = this.millivolts[levelOf(this.settings.values.flags) - 1];
    this.offer.restore();
    this.emit('change');
  }

  emit(event: ControllerEvent): void {
    // Indexed: `for…of` would allocate an iterator on every tick.
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      const listener = listeners[i];
      if (typeof listener === 'function') listener(event);
      else listener.onControllerEvent(event);
    }
  }
}

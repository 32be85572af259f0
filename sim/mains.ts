// The supply side of the station: the contactor (which can weld), the
// protective earth, and the AC-sense optos downstream of the contactor, which
// see line-to-earth voltage, so a missing earth makes the lines look dead.

import type { AcSense, RelayOutput } from '../modules/ports';

export interface SimMainsOptions {
  /** RMS volts (default 240). */
  volts?: number;
  /** Live lines: 2 for split-phase 240 V (L2), 1 for 120 V (L1). */
  lines?: 1 | 2;
  /** Hz (default 60). */
  frequency?: number;
}

export class SimMains implements RelayOutput, AcSense {
  volts: number;
  lines: 1 | 2;
  frequency: number;
  grounded = true;
  welded = false;
  /** The contactor refuses to close (coil or contact failure). */
  openCircuit = false;
  #commanded = false;
  readonly #lines = { line1: false, line2: false };
  /** Called after every change of the contacts. */
  onChange?: () => void;

  constructor(options: SimMainsOptions = {}) {
    this.volts = options.volts ?? 240;
    this.lines = options.lines ?? 2;
    this.frequency = options.frequency ?? 60;
  }

  /** What the controller asked for. */
  get commanded(): boolean {
    return this.#commanded;
  }

  /** Power reaches the EV. */
  get energized(): boolean {
    return (this.#commanded && !this.openCircuit) || this.welded;
  }

  set(closed: boolean): void {
    this.#commanded = closed;
    this.onChange?.();
  }

  weld(on: boolean): void {
    this.welded = on;
    this.onChange?.();
  }

  /** The AC-sense optos now; the same object every call, so read it before the next. */
  read(): { line1: boolean; line2: boolean } {
    const live = this.energized && this.grounded;
    const l = this.#lines;
    l.line1 = live;
    l.line2 = live && this.lines === 2;
    return l;
  }
}

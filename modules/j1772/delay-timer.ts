// The delay timer ($ST, $GD): charging is allowed only between a start and a
// stop time of day; outside the window the station sleeps. Checked once a
// second against the RTC. The window may cross midnight; start == stop is
// invalid; all zeros turns it off. A button press (or $F1, or a session
// limit) overrides it until the station's state agrees with the window again
// or the EV is unplugged (OpenEVSE DelayTimer, reference §2.12).

export const DELAY_TIMER_CHECK_MS = 1000;

export type TimerWindow = readonly [startH: number, startM: number, stopH: number, stopM: number];

/** True for a window `$ST` accepts: all zeros (off), or valid times with start ≠ stop. */
export function validWindow(w: TimerWindow): boolean {
  const [sh, sm, eh, em] = w;
  if (!w.every((x) => Number.isInteger(x) && x >= 0)) return false;
  if (sh === 0 && sm === 0 && eh === 0 && em === 0) return true;
  return sh <= 23 && eh <= 23 && sm <= 59 && em <= 59 && (sh !== eh || sm !== em);
}

export function windowEnabled(w: TimerWindow): boolean {
  return w[0] !== 0 || w[1] !== 0 || w[2] !== 0 || w[3] !== 0;
}

/** Is `minute` (since midnight) inside [start, stop)? A window with stop < start crosses midnight. */
export function inWindow(w: TimerWindow, minute: number): boolean {
  const start = w[0] * 60 + w[1];
  const stop = w[2] * 60 + w[3];
  return start < stop ? minute >= start && minute < stop : minute >= start || minute < stop;
}

export type TimerAction = 'sleep' | 'wake' | 'none';

export class DelayTimer {
  #override = false;

  get overridden(): boolean {
    return this.#override;
  }

  /** A button press or a session limit: the user wants the other state for now. */
  override(): void {
    this.#override = true;
  }

  /** Unplugging ends the override. */
  clearOverride(): void {
    this.#override = false;
  }

  /**
   * What the window asks for at `minute`, given whether the station sleeps
   * and whether that sleep was the timer's doing.
   */
  decide(w: TimerWindow, minute: number, sleeping: boolean, sleptByTimer: boolean): TimerAction {
    if (!windowEnabled(w)) {
      this.#override = false;
      return sleptByTimer ? 'wake' : 'none';
    }
    const inside = inWindow(w, minute);
    if (this.#override) {
      // The override lasts until the state catches up with the window.
      if (inside !== sleeping) this.#override = false;
      return 'none';
    }
    if (inside) return sleeping && sleptByTimer ? 'wake' : 'none';
    return sleeping ? 'none' : 'sleep';
  }
}

// The front-panel button, timed: a short press (released before 500 ms)
// toggles sleep; a long press (500 ms or more) is OpenEVSE's menu, which
// has no meaning without an LCD; held 10 s it asks the gateway for its Wi-Fi
// access point ($WF 02). With the button disabled ($FF B 0) presses are only
// reported ($AN 0 short, $AN 1 long) (OpenEVSE main.cpp BtnHandler).

export const BUTTON_DEBOUNCE_MS = 50;
export const LONG_PRESS_MS = 500;
export const WIFI_PRESS_MS = 10_000;

export type ButtonEvent = 'short' | 'long' | 'wifi' | 'none';

/** Turns the pressed level, sampled on each control tick, into press events. */
export class ButtonTimer {
  #downSince = -1;
  #wifiSent = false;

  /** A press is being timed: `sample(false, …)` can only complete one while this is true (otherwise it returns 'none' and changes nothing). */
  get timing(): boolean {
    return this.#downSince >= 0;
  }

  /** Call on every tick with the level; returns the event this sample completes. */
  sample(pressed: boolean, now: number): ButtonEvent {
    if (pressed) {
      if (this.#downSince < 0) {
        this.#downSince = now;
        this.#wifiSent = false;
      } else if (!this.#wifiSent && now - this.#downSince >= WIFI_PRESS_MS) {
        this.#wifiSent = true;
        return 'wifi';
      }
      return 'none';
    }
    if (this.#downSince < 0) return 'none';
    const held = now - this.#downSince;
    this.#downSince = -1;
    if (this.#wifiSent) return 'none'; // the 10 s hold already said what it meant
    if (held < BUTTON_DEBOUNCE_MS) return 'none';
    return held < LONG_PRESS_MS ? 'short' : 'long';
  }
}

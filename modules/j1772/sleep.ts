// Sleeping ($FS, a limit, the delay timer, the button): the pilot goes to a
// steady +12 V at once, which tells the EV to stop, but the relay stays
// closed until the EV has stopped drawing, so the contacts do not break load
// (OpenEVSE Sleep()).

/** The relay opens this long after sleep began at the latest. */
export const SLEEP_RELAY_TIMEOUT_MS = 3000;
/** …or as soon as the current has fallen to this, mA. */
export const SLEEP_RELAY_MILLIAMPS = 1000;

/** Why the station sleeps: only the delay timer wakes what the delay timer put to sleep. */
export type SleepReason = 'command' | 'limit' | 'timer' | 'button';

/** True when a sleeping station should open its still-closed relay. */
export function sleepOpensRelay(pilot: string, milliamps: number, sleptMs: number): boolean {
  return pilot === 'A' || pilot === 'B' || milliamps <= SLEEP_RELAY_MILLIAMPS || sleptMs >= SLEEP_RELAY_TIMEOUT_MS;
}

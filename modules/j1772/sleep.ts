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

import { mayKeepPower } from './evse-state';

/**
 * True when a sleeping station should open its still-closed relay: the EV has
 * left C (to B, A, a shorted or negative pilot, or D asking for ventilation
 * that is not allowed) — at once, like any step out of C, since opening early
 * is always safe here — or it draws ≤ 1 A, or 3 s have passed.
 */
export function sleepOpensRelay(pilot: string, milliamps: number, sleptMs: number, ventAllowed = false): boolean {
  return !mayKeepPower(pilot, ventAllowed) || milliamps <= SLEEP_RELAY_MILLIAMPS || sleptMs >= SLEEP_RELAY_TIMEOUT_MS;
}

// The one arbiter in: the claims table (claims.ts) joined to the controller
// (charge-target.ts). Features file and release claims here, never `$SC` or
// `$FS` themselves; each change is applied to the controller and announced to
// listeners (version counters, retained MQTT topics). At the end of a session
// (the EV unplugged) the claims that asked for it let go, as OpenEVSE's
// releaseAutoReleaseClaims does.

import { ChargeTarget, activeState, type ChargeTargetOptions } from './charge-target';
import { Claims, type ClaimState, type EvseProperties } from './claims';
import type { EvseSnapshot } from './evse-snapshot';
import type { RapiClient } from './rapi-client';
import type { Timers } from '../ports';

export interface ArbiterOptions {
  client: RapiClient;
  snapshot(): Readonly<EvseSnapshot>;
  pauseUsesDisabled(): boolean;
  /** Re-reads what accepted writes changed. */
  written?(done: () => void): void;
  log?(line: string): void;
  /** For retrying writes the controller does not show (charge-target.ts). */
  timers?: Timers;
}

/**
 * The monitor's changes after which the controller is held to the claims again: a reply to
 * `$AT` (an async state report), the controller booting or the link coming back, and a poll
 * that finds the pilot or the state moved (a reboot seen late).
 */
const HOLD_REASONS: readonly string[] = ['at', 'boot', 'connect'];
const HOLD_FIELDS: readonly (keyof EvseSnapshot)[] = ['pilot', 'state'];

/**
 * The charge target's options: the claims table and the arbiter's own, handed on by methods (on
 * the prototype) rather than copied into an object literal with a closure for `written`: slots on
 * the device (docs/moddable.md, "What holds the memory").
 */
class TargetOptions implements ChargeTargetOptions {
  readonly claims: Claims;
  readonly #options: ArbiterOptions;

  constructor(claims: Claims, options: ArbiterOptions) {
    this.claims = claims;
    this.#options = options;
  }
  get client(): RapiClient {
    return this.#options.client;
  }
  get timers(): Timers | undefined {
    return this.#options.timers;
  }
  snapshot(): Readonly<EvseSnapshot> {
    return this.#options.snapshot();
  }
  pauseUsesDisabled(): boolean {
    return this.#options.pauseUsesDisabled();
  }
  written(_commands: unknown, done: () => void): void {
    // Without a re-read the pass settles at once, as it does when the target has none.
    if (this.#options.written) this.#options.written(done);
    else done();
  }
  log(line: string): void {
    this.#options.log?.(line);
  }
}

/** Told which clients' claims changed. */
export type ClaimsListener = (clients: readonly number[]) => void;

export class Arbiter {
  readonly claims = new Claims();
  readonly #target: ChargeTarget;
  readonly #options: ArbiterOptions;
  readonly #listeners: ClaimsListener[] = [];

  constructor(options: ArbiterOptions) {
    this.#options = options;
    this.#target = new ChargeTarget(new TargetOptions(this.claims, options));
  }

  onChange(listener: ClaimsListener): void {
    this.#listeners.push(listener);
  }

  // Promises passed on rather than async functions: every level of async
  // would hold a suspended frame and two promises until the controller has
  // answered (docs/moddable.md, "Memory").

  /** Files or replaces a claim and applies the result; false when all slots are taken. */
  claim(client: number, priority: number, properties: EvseProperties): Promise<boolean> {
    const before = this.claims.version;
    if (!this.claims.claim(client, priority, properties)) return Promise.resolve(false);
    if (this.claims.version === before) return Promise.resolve(true);
    return this.#changed([client]);
  }

  /** false when `client` had no claim. */
  release(client: number): Promise<boolean> {
    if (!this.claims.release(client)) return Promise.resolve(false);
    return this.#changed([client]);
  }

  /** The session ended (EV unplugged): auto-release claims go. */
  sessionEnded(): void {
    const released = this.claims.releaseAutoRelease();
    if (released.length === 0) return;
    this.#options.log?.(`claims: released at session end: ${released.join(', ')}`);
    void this.#changed(released);
  }

  /** The controller changed: hold it to the claims. */
  controllerChanged(): void {
    this.#target.controllerChanged();
  }

  /** The monitor saw `changed` (for `reason`): hold the controller to the claims if HOLD_* name it. */
  monitorChanged(changed: Partial<EvseSnapshot>, reason: string): void {
    let hold = HOLD_REASONS.includes(reason);
    for (const f of HOLD_FIELDS) if (f in changed) hold = true;
    if (hold) this.#target.controllerChanged();
  }

  /** Runs `write` to the controller between claims passes, then applies the claims (waking it if `resume`, unless a claim pauses it). */
  between(write: () => Promise<unknown>, resume = false): Promise<void> {
    return this.#target.between(write, resume);
  }

  /** Stops retrying writes (the gateway stops). */
  stop(): void {
    this.#target.stop();
  }

  /** `active` or `disabled`: what the claims hold the charger to, else what the controller does. */
  state(): ClaimState {
    return this.#target.wanted().state ?? activeState(this.#options.snapshot());
  }

  #changed(clients: readonly number[]): Promise<boolean> {
    this.#options.log?.(`claims: ${JSON.stringify(this.claims.target().properties)} (version ${this.claims.version})`);
    for (const l of this.#listeners.slice()) l(clients);
    return this.#target.claimsChanged();
  }
}

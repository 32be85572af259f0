// What OCPP asks of the charger, as a claim for the gateway's arbiter
// (claims.ts, priority 1050), by the rules of OpenEVSE's ocpp.cpp
// (updateEvseClaim): OCPP permits charging when a transaction runs; a
// smart-charging limit below the EVSE's minimum current pauses; with
// `ocpp_suspend_evse` off OCPP never pauses the charger, with
// `ocpp_energize_plug` off it never wakes a charger another feature paused.
// One deliberate difference: ocpp.cpp drops its limit together with the
// "active" state when energize is off; here the limit still caps the current,
// because a central system's limit (a grid operator's, evcc's) must hold.

import type { EvseProperties } from '../gateway/claims';

export interface ClaimInputs {
  /** OCPP would let the EV charge (a transaction runs, the connector is operative). */
  permits: boolean;
  /** The composite smart-charging limit, A; undefined when no profile limits the charger. */
  limit: number | undefined;
  /** The EVSE's minimum current, A (6 for J1772). */
  minCurrent: number;
  suspendEvse: boolean;
  energizePlug: boolean;
}

/** The claim to file, or undefined to release OCPP's claim. */
export function ocppClaim(i: ClaimInputs): EvseProperties | undefined {
  let active = i.permits;
  let current: number | undefined;
  if (i.limit !== undefined) {
    if (i.limit < i.minCurrent) active = false;
    // Whole amps, rounded down: a 0.1 A step from the central system never lets the EV draw more than it allows.
    else current = Math.floor(i.limit + 1e-9);
  }
  if (!active) return i.suspendEvse ? { state: 'disabled' } : undefined;
  if (!i.energizePlug) return current === undefined ? undefined : { charge_current: current };
  return current === undefined ? { state: 'active' } : { state: 'active', charge_current: current };
}

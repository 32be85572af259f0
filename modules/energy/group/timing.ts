// The load-sharing protocol's clocks (docs/energy.md#load-sharing has the proof
// these numbers feed). Every duration is measured on the local monotonic
// clock of whoever measures it; `drift` bounds how far two clocks may run
// apart over one lease.

export interface GroupTiming {
  /** ms between a member's messages. */
  publishMs: number;
  /** ms a grant lets a member offer more than its fallback, counted from its own message the grant answers. */
  permitMs: number;
  /** ms a received grant still holds a member below its fallback share. */
  restrictMs: number;
  /** ms a vote binds a member to its coordinator. */
  voteMs: number;
  /** ms without a message after which a peer is out of sight. */
  freshMs: number;
  /** ms a member lowers its pilot before a lease ends (RAPI and controller reaction). */
  marginMs: number;
  /** Relative clock-rate error allowed between members (0.01 = 1 %). */
  drift: number;
}

export const GROUP_TIMING: GroupTiming = {
  publishMs: 500,
  permitMs: 3000,
  restrictMs: 8000,
  voteMs: 8000,
  freshMs: 2000,
  marginMs: 500,
  drift: 0.01,
};

/** ms after boot before a member may offer its fallback share or vote: any lease its last life held has ended. */
export function quarantineMs(t: GroupTiming): number {
  return Math.ceil(t.permitMs + Math.max(t.restrictMs, t.voteMs) * (1 + t.drift) + t.marginMs);
}

/** A, what a member may offer with no grant: the limit split over every possible member, or 0 when that is under the minimum. */
export function fallbackShare(limit: number, size: number, min: number): number {
  const s = Math.floor(limit / Math.max(1, size));
  return s >= min ? s : 0;
}

/** ms between the controller's checks of its heartbeat (modules/j1772/controller.ts, tickMs). */
export const CONTROLLER_TICK_MS = 10;
/** ms a heartbeat pulse may be on the wire (RAPI at 115 200 Bd, a few frames ahead of it). */
export const PULSE_WIRE_MS = 50;

/**
 * ms the coordinator counts a grant in full after sending it: as long as the member may offer it,
 * frozen gateway or not. The member holds it at most until its permit ends plus its reaction,
 * send(q) + permitMs·(1 − drift) on its clock, q sent before the grant; if its gateway froze just
 * then, its controller falls back within the last pulse's wire time + the heartbeat interval ×
 * (1 + drift) + its tick. Measured on the coordinator's clock (1 − drift): 4 081 ms by default.
 */
export function grantCountMs(t: GroupTiming): number {
  const held = t.permitMs * (1 - t.drift) + PULSE_WIRE_MS + heartbeatSeconds(t) * 1000 * (1 + t.drift) + CONTROLLER_TICK_MS;
  return Math.ceil(held / (1 - t.drift));
}

/**
 * s, the heartbeat interval (`$SY interval share`) that makes a member's controller drop to its
 * fallback share before the coordinator stops counting the member's grant, however long its gateway
 * stays frozen (docs/energy.md, "A frozen gateway"). A member holds a grant's pilot at most until its
 * permit ends, send(q) + permitMs·(1 − drift) − marginMs, plus its reaction (within marginMs); the
 * coordinator keeps granting a silent member while it is fresh, so it counts the grant until at least
 * send(q) + freshMs − publishMs + permitMs on its clock. A controller whose last pulse came at the
 * freeze falls back within interval·1000·(1 + drift) + its tick. So the interval must fit in
 * (freshMs − publishMs)·(1 − drift) − tick: 1485 − 10 ms with the numbers above, 1 s.
 */
export function heartbeatSeconds(t: GroupTiming): number {
  return Math.floor(((t.freshMs - t.publishMs) * (1 - t.drift) - CONTROLLER_TICK_MS) / (1000 * (1 + t.drift)));
}

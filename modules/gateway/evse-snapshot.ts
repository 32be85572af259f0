// What the gateway knows of the controller at a moment: the fields of its
// RAPI replies and notifications (`$GV`, `$GS`/`$AT`, `$GE`, `$GC`, `$GG`,
// `$GP`, `$GU`, `$GF`, `$SY`), as the monitor (evse-monitor.ts) keeps them.

export interface EvseSnapshot {
  /** Controller firmware and RAPI protocol from `$GV`; "" until known. */
  firmware: string;
  protocol: string;
  /** EVSE state code (1 A, 2 B, 3 C, 4 D … 254 sleeping, 255 disabled); 0 unknown. */
  state: number;
  /** Session charge time, s. */
  elapsed: number;
  pilotState: number;
  /** Volatile flags of `$GS`/`$AT` (0x0100 EV connected, 0x0040 relay closed …). */
  vflags: number;
  /** Advertised pilot current, A. */
  pilot: number;
  /** Persistent ECF flags of `$GE` (0x0001 L2, 0x0002 diode check off …). */
  flags: number;
  minCurrent: number;
  /** Hardware maximum current, A (`$GC` token 2). */
  maxCurrentHard: number;
  /** Configured maximum current, A (`$GC` token 4). */
  maxCurrentSoft: number;
  scale: number;
  offset: number;
  /** Measured current, mA (`$GG`). */
  amp: number;
  /** Voltage the controller computes energy with, mV (`$GG`); 0 if unknown. */
  voltageMv: number;
  /** `$GP`: DS3231, MCP9808, TMP007 in tenths of °C; null when absent. */
  temps: (number | null)[];
  /** Session energy, watt-seconds (`$GU`). */
  wattsec: number;
  /** Lifetime energy, Wh (`$GU`). */
  whTotal: number;
  gfciCount: number;
  noGroundCount: number;
  stuckCount: number;
  heartbeatInterval: number;
  heartbeatCurrent: number;
  /** 0 never missed, 1 missed and acknowledged, 2 missed and not acknowledged. */
  heartbeatTrigger: number;
}

export function emptySnapshot(): EvseSnapshot {
  return {
    firmware: '',
    protocol: '',
    state: 0,
    elapsed: 0,
    pilotState: 0,
    vflags: 0,
    pilot: 0,
    flags: 0,
    minCurrent: 6,
    maxCurrentHard: 0,
    maxCurrentSoft: 0,
    scale: 0,
    offset: 0,
    amp: 0,
    voltageMv: 0,
    temps: [null, null, null],
    wattsec: 0,
    whTotal: 0,
    gfciCount: 0,
    noGroundCount: 0,
    stuckCount: 0,
    heartbeatInterval: 0,
    heartbeatCurrent: 0,
    heartbeatTrigger: 0,
  };
}

export const STATE_CHARGING = 3;

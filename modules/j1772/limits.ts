// Session limits: `$S3 n` stops charging after n × 15 minutes of charge time,
// `$SH n` after n kWh, both counted from the start of the session. Only
// accepted while an EV is connected (B or C); reaching one puts the station
// to sleep with vflag 0x0004; unplugging (state A) clears them (OpenEVSE §2.11).

export const LIMIT_UNIT_MS = 15 * 60_000;
export const WS_PER_KWH = 3_600_000;

export class SessionLimits {
  /** 15-minute units; 0 = none. */
  time = 0;
  /** kWh; 0 = none. */
  energy = 0;

  /** True when a set limit has been reached by this session's charge time or energy. */
  reached(chargeMs: number, sessionWs: number): boolean {
    return (this.time > 0 && chargeMs >= this.time * LIMIT_UNIT_MS) || (this.energy > 0 && sessionWs >= this.energy * WS_PER_KWH);
  }

  clear(): void {
    this.time = 0;
    this.energy = 0;
  }
}

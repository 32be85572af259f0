// Service level: L1 (120 V, one live line to earth) or L2 (240 V, two), set
// with `$SL 1|2|A` or detected at power-on from the AC-sense lines with the
// relay closed. Kept in the `$GE` flags as OpenEVSE does: 0x0001 = L2,
// 0x0020 = auto detection disabled.

import type { AcSense } from '../ports';
import { Feature } from './evse-state';
import { MAX_AMPS } from './pilot';

export type ServiceLevel = 1 | 2;

/** The most an L1 (120 V, 15/20 A branch) installation may offer, A (OpenEVSE MAX_CURRENT_CAPACITY_L1). */
export const L1_MAX_AMPS = 24;
/** Voltage assumed for energy until `$SV`, mV (OpenEVSE m_Voltage). */
export const L1_MILLIVOLTS = 120_000;
export const L2_MILLIVOLTS = 240_000;

export function levelOf(flags: number): ServiceLevel {
  return flags & Feature.L2 ? 2 : 1;
}

export function autoDetect(flags: number): boolean {
  return (flags & Feature.AutoServiceLevelDisabled) === 0;
}

/** The flags after `$SL`: 1 or 2 fixes the level and turns detection off; 'A' turns it on. */
export function withLevel(flags: number, level: ServiceLevel | 'A'): number {
  if (level === 'A') return flags & ~Feature.AutoServiceLevelDisabled;
  const fixed = flags | Feature.AutoServiceLevelDisabled;
  return level === 2 ? fixed | Feature.L2 : fixed & ~Feature.L2;
}

/** How many AC-sense lines carry voltage now, 0–2. */
export function liveLines(ac: AcSense): number {
  const s = ac.read();
  return (s.line1 ? 1 : 0) + (s.line2 ? 1 : 0);
}

/** The level the live lines show with the relay closed; undefined when neither is live (no ground). */
export function detectLevel(liveLines: number): ServiceLevel | undefined {
  return liveLines >= 2 ? 2 : liveLines === 1 ? 1 : undefined;
}

/** The flags with a detected level written in. */
export function withDetected(flags: number, level: ServiceLevel): number {
  return level === 2 ? flags | Feature.L2 : flags & ~Feature.L2;
}

/** The highest current a level allows: L1 24 A; L2 the hardware maximum (`$SC n M`) or the board's. */
export function levelMaxAmps(level: ServiceLevel, boardMax: number = MAX_AMPS, hardwareAmps = 0): number {
  if (level === 1) return Math.min(L1_MAX_AMPS, boardMax);
  return hardwareAmps || boardMax;
}

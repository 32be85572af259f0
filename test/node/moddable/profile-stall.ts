// Stall detection for the ESP32 memory profile (esp32-profile.test.ts): a
// simulator that stops answering must fail the run at once, with what it
// printed last and what the OCPP central system saw, not hang until the
// test's timeout with nothing to go on (two OCPP profile runs did exactly
// that). Checked once a second while the load runs:
//
// * a role's mcsim exited;
// * a role printed nothing for SILENT_MS (it prints "memory:" and
//   "instruments:" lines every second, so silence is a VM that no longer runs
//   its timers, or a wedged process);
// * a request got no answer (the load's own 10 s timeout), or no request of a
//   role was answered for UNANSWERED_MS: the load is not getting through.

import type { OutputWatch } from '../e2e/processes';

const SILENT_MS = 10_000;
const UNANSWERED_MS = 15_000;
/** Lines of each simulator's output in a stall report. */
const TAIL_LINES = 40;

export interface WatchedRole {
  role: string;
  sim: OutputWatch & { proc: { exitCode: number | null; signalCode: string | null } };
  /** When a request to this role last got an answer (Date.now()). */
  lastAnswer(): number;
  /** Requests that got no answer so far (the load's messages). */
  unanswered(): string[];
}

/** Each role's last lines and the central system's view: what a stall report prints. */
export function stallReport(roles: readonly WatchedRole[], ocppState: (role: string) => string): string {
  const out: string[] = [];
  for (const r of roles) {
    const sim = r.sim;
    const running = sim.proc.exitCode === null && sim.proc.signalCode === null;
    out.push(
      `--- ${r.role} role: mcsim ${running ? 'running' : `exited (${sim.proc.signalCode ?? `code ${sim.proc.exitCode}`})`}, last output ${(sim.quietFor() / 1000).toFixed(1)} s ago, last answer ${((Date.now() - r.lastAnswer()) / 1000).toFixed(1)} s ago; its last ${TAIL_LINES} lines:`,
      sim.tail(TAIL_LINES),
    );
    const errors = sim
      .output()
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('instruments:') && !l.startsWith('memory:'))
      .slice(-15);
    out.push(`--- ${r.role} role: its last ${errors.length} lines but the samples:`, ...errors);
    const ocpp = ocppState(r.role);
    if (ocpp) out.push(`--- ${r.role} role: OCPP, ${ocpp}`);
  }
  return out.join('\n');
}

/** Why `r` is stalled, or undefined while it runs. */
export function stalled(r: WatchedRole, now = Date.now()): string | undefined {
  const p = r.sim.proc;
  if (p.exitCode !== null || p.signalCode !== null) return `${r.role} role: mcsim exited (${p.signalCode ?? `code ${p.exitCode}`})`;
  if (r.sim.quietFor() > SILENT_MS) return `${r.role} role: mcsim printed nothing for ${(r.sim.quietFor() / 1000).toFixed(0)} s (its samples come every second)`;
  const lost = r.unanswered();
  if (lost.length) return `${r.role} role: a request got no answer: ${lost[0]}`;
  if (now - r.lastAnswer() > UNANSWERED_MS) return `${r.role} role: no request answered for ${((now - r.lastAnswer()) / 1000).toFixed(0)} s`;
  return undefined;
}

/**
 * Runs `work` (the load) and watches the roles meanwhile: resolves with its
 * result, or rejects as soon as a role stalls, after `abort()` (which stops
 * the load), saying which role and how (the test prints `stallReport` when it fails).
 */
export async function watchLoad<T>(roles: readonly WatchedRole[], abort: () => void, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stall = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const why = roles.map((r) => stalled(r)).filter((w) => w !== undefined);
      if (!why.length) return;
      clearInterval(timer);
      abort();
      reject(new Error(`ESP32 profile stalled: ${why.join('; ')}`));
    }, 1000);
  });
  try {
    return await Promise.race([work, stall]);
  } finally {
    clearInterval(timer);
  }
}

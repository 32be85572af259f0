// The ESP32 profile's stall watch (profile-stall.ts) on real child processes:
// it names the role and the way it stalled, and its report carries the
// process's last lines and the OCPP state, so a profile run that stops
// getting answers says why without the SDK being needed to check it.

import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { watchOutput } from '../e2e/processes';
import { stallReport, stalled, watchLoad, type WatchedRole } from './profile-stall';

const running: { kill(): void }[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});

/** A process that prints `lines` numbered lines and then stays, silent. */
function child(role: string, lines: number, answered = Date.now()): WatchedRole & { exited: Promise<number | null>; kill(signal: NodeJS.Signals): void } {
  const proc = spawn(process.execPath, ['-e', `for (let i = 1; i <= ${lines}; i++) console.log('memory: line ' + i); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(proc);
  const sim = Object.assign(watchOutput(proc, role), { proc });
  return { role, sim, lastAnswer: () => answered, unanswered: () => [], exited: sim.exited, kill: (signal) => proc.kill(signal) };
}

describe('ESP32 profile stall watch', () => {
  it('lets a role that prints and answers run, and names a silent one, one without answers and one that exited', async () => {
    const r = child('standalone', 50);
    await r.sim.waitFor(/line 50\n/);
    expect(stalled(r)).toBeUndefined();
    expect(stalled(r, Date.now() + 16_000)).toMatch(/^standalone role: no request answered for 1[56] s$/);
    const lost = { ...r, unanswered: () => ['GET /status: no answer in 10 s'] };
    expect(stalled(lost)).toBe('standalone role: a request got no answer: GET /status: no answer in 10 s');
    const quiet = { ...r, sim: Object.assign(Object.create(r.sim), { quietFor: () => 11_000 }) };
    expect(stalled(quiet)).toMatch(/^standalone role: mcsim printed nothing for 11 s/);
    r.kill('SIGTERM');
    await r.exited;
    expect(stalled(r)).toBe('standalone role: mcsim exited (SIGTERM)');
  });

  it("reports each role's last 40 lines and its OCPP state", async () => {
    const roles = [child('standalone', 50), child('gateway', 3)];
    await Promise.all(roles.map((r, i) => r.sim.waitFor(i === 0 ? /line 50\n/ : /line 3\n/)));
    const report = stallReport(roles, (role) => (role === 'gateway' ? 'central system: NOT connected' : ''));
    expect(report).toContain('--- standalone role: mcsim running');
    expect(report).toContain('memory: line 11\n');
    expect(report).toContain('memory: line 50');
    expect(report).not.toContain('memory: line 10\n');
    expect(report).toContain('--- gateway role: OCPP, central system: NOT connected');
    expect(report).not.toContain('--- standalone role: OCPP');
  });

  it('stops the load and fails within seconds when a role stalls', async () => {
    const r = child('gateway', 1);
    await r.sim.waitFor(/line 1\n/);
    let aborted = false;
    const never = new Promise<void>(() => {});
    const t0 = Date.now();
    r.kill('SIGKILL');
    await expect(watchLoad([r], () => (aborted = true), never)).rejects.toThrow('ESP32 profile stalled: gateway role: mcsim exited (SIGKILL)');
    expect(aborted).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

// `npm run fleet` at the CI size: ten whole chargers in one process against the
// schema-validating central system (its own process), all connected and booted,
// EVs arriving, no schema failure; the report carries every figure docs/ocpp.md quotes.
import { spawn } from 'node:child_process';
import { describe, it } from 'vitest';
import { expect } from '../../cases/expect';
import { ROOT } from '../e2e/processes';

describe('npm run fleet', () => {
  it('10 chargers: all connect and boot, transactions start, messages flow, no schema failure', async () => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'hosts/node/fleet.ts', '--chargers', '10', '--duration', '4', '--ramp', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).toBe(0);
    const line = out.split('\n').find((l) => l.startsWith('{'));
    expect(line).toBeDefined();
    const r = JSON.parse(line!) as Record<string, number> & { csms: Record<string, number> };
    expect(r.connected).toBe(10);
    expect(r.csms.connected).toBe(10);
    expect(r.csms.boots).toBe(10);
    expect(r.csms.starts).toBeGreaterThanOrEqual(1);
    expect(r.csms.schema_failures).toBe(0);
    expect(r.messages_per_s).toBeGreaterThan(0);
    for (const k of ['cpu_pct_of_one_core', 'cpu_ms_per_charger_per_s', 'heap_kb_per_charger']) expect(typeof r[k]).toBe('number');
  }, 60_000);
});

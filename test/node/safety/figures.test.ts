// The measured figures in docs/safety.md must be what a fresh measurement
// gives: `npm run safety-figures -- --check` re-runs every scenario and fails
// on any difference (a figure no command reproduces is a defect).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('docs/safety.md figures', () => {
  it('match a fresh npm run safety-figures', async () => {
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'bench/safety/figures.ts', '--check'], { cwd: root, timeout: 240_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr });
      });
    });
    expect(result.out).toContain('| 300 mA |');
    expect(result.code, result.out).toBe(0);
  }, 300_000);
});

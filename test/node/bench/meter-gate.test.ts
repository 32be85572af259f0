// The meter gate: every gated operation's XS meter count (deterministic, the
// same on every machine) against the committed baseline in
// bench/results/meter-baseline.json. A rise over 10 % fails, unless the same
// commit updated the baseline (`npm run bench -- --update-baseline`) and its
// message says why in a "Meter baseline:" line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BASELINE, compare, gatedCounts, readBaseline } from '../../../bench/meter';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'meter-gate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

describe('meter gate', () => {
  it('no operation costs over 10 % more XS computrons than the committed baseline', async () => {
    const baseline = readBaseline();
    expect(baseline, `no ${BASELINE}: run npm run bench -- --update-baseline`).toBeDefined();
    const now = await gatedCounts(dir);
    const { rises, added, gone } = compare(baseline!.counts, now);
    // New and vanished operations are told, not failed (a new bench must not block a landing).
    if (added.length || gone.length) console.log(`meter gate: not in the baseline: ${added.join('; ') || '-'}; gone: ${gone.join('; ') || '-'} (npm run bench -- --update-baseline takes them in)`);
    expect(
      rises,
      `XS meter counts rose against bench/results/meter-baseline.json:\n  ${rises.join('\n  ')}\n` +
        'If this is intended, run `npm run bench -- --update-baseline` and commit the baseline in the same commit, with a "Meter baseline: <why>" line in its message.',
    ).toEqual([]);
  }, 120_000);

  it('the commit that last changed the baseline says why', () => {
    const log = git(['log', '-1', '--format=%H%n%B', '--', 'bench/results/meter-baseline.json']);
    if (log === undefined || log.trim() === '') return; // not a git checkout (a release tarball): nothing to read
    const [commit, ...message] = log.split('\n');
    expect(message.join('\n'), `commit ${commit} changed the meter baseline without a "Meter baseline: <why>" line`).toMatch(/^Meter baseline: \S.{9,}/m);
  });

  it('counts a rise over the allowance as a failure, tells new and vanished operations apart, and passes what is within it', () => {
    expect(compare({ a: 1000, b: 1000, c: 50 }, { a: 1100, b: 990, d: 5 })).toEqual({ rises: [], added: ['d'], gone: ['c'] });
    expect(compare({ a: 1000 }, { a: 1102 }).rises).toEqual(['a: 1000 → 1102 computrons (+10.2 %, allowance 10 %)']);
  });
});

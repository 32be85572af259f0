// A pseudo-terminal pair from socat: two device paths joined like a null-modem cable.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { until } from './rig';

export async function ptyPair(dir: string): Promise<{ a: string; b: string; proc: ChildProcess }> {
  const a = join(dir, 'ttyA');
  const b = join(dir, 'ttyB');
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  await until(() => existsSync(a) && existsSync(b), 5000, 10);
  return { a, b, proc };
}


// Child processes for the e2e tests: the CLI as `npm start` runs it, and a
// socat pseudo-terminal pair standing in for a UART cable.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface CliProcess {
  proc: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves once the output matches `pattern`, with the match. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGINT (Ctrl-C), then the exit code. */
  interrupt(): Promise<number | null>;
}

export function runCli(args: string[]): CliProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'hosts/node/cli.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const add = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const w of [...waiters]) w();
  };
  proc.stdout!.on('data', add);
  proc.stderr!.on('data', add);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    output: () => out,
    waitFor(pattern, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (!m) return;
          cleanup();
          resolve(m);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} in ${ms} ms; output:\n${out}`));
        }, ms);
        const gone = () => {
          cleanup();
          reject(new Error(`process exited before ${pattern}; output:\n${out}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          proc.off('exit', gone);
        };
        waiters.add(check);
        proc.once('exit', gone);
        check();
      });
    },
    exited,
    interrupt() {
      if (proc.exitCode === null) proc.kill('SIGINT');
      return exited;
    },
  };
}

/** Two linked pseudo-terminals, as socat makes them; `a` and `b` are their paths. */
export async function ptyPair(dir: string): Promise<{ a: string; b: string; proc: ChildProcess }> {
  const a = join(dir, 'tty-a');
  const b = join(dir, 'tty-b');
  const proc = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  const until = Date.now() + 5000;
  while (!(existsSync(a) && existsSync(b))) {
    if (Date.now() > until) {
      proc.kill();
      throw new Error('socat made no pseudo-terminals');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { a, b, proc };
}

export async function until(predicate: () => Promise<boolean> | boolean, ms: number, step = 100): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, step));
  }
}

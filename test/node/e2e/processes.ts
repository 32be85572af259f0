// Child processes for the e2e tests: the CLI as `npm start` runs it, and a
// socat pseudo-terminal pair standing in for a UART cable, and stopping a
// process group as a terminal's Ctrl-C does.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface CliProcess extends OutputWatch {
  proc: ChildProcess;
  /** SIGINT (Ctrl-C), then the exit code. */
  interrupt(): Promise<number | null>;
}

export function runCli(args: string[]): CliProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'hosts/node/cli.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watch = watchOutput(proc, 'process');
  return {
    proc,
    ...watch,
    interrupt() {
      if (proc.exitCode === null) proc.kill('SIGINT');
      return watch.exited;
    },
  };
}

/**
 * Ctrl-C as a terminal sends it: SIGINT to every process of the group (npm, its `sh`, the
 * charger). Resolves when none is left; rejects if one is still running after 15 s.
 */
export async function interruptGroup(pgid: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(-pgid, 'SIGINT');
  const until = Date.now() + 15_000;
  while (alive()) {
    if (Date.now() > until) {
      const left = (spawnSync('pgrep', ['-g', String(pgid), '-a'], { encoding: 'utf8' }).stdout ?? '').trim();
      process.kill(-pgid, 'SIGKILL');
      throw new Error(`still running 15 s after Ctrl-C:\n${left}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The output of a child process, and waiting for a pattern in it. */
export interface OutputWatch {
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The last `lines` lines of the output (the last partial line included). */
  tail(lines?: number): string;
  /** ms since the process last wrote anything (since it started if it has not). */
  quietFor(): number;
  /** Resolves once the output matches `pattern`, with the match; rejects on a timeout or an exit first. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Collects a child's stdout and stderr. `label` names it in errors;
 * `onExit` runs when it exits and may return a line to add to the output.
 */
export function watchOutput(proc: ChildProcess, label: string, onExit?: (code: number | null, signal: NodeJS.Signals | null) => string | void): OutputWatch {
  let out = '';
  let last = Date.now();
  const waiters = new Set<() => void>();
  const add = (text: string) => {
    out += text;
    last = Date.now();
    for (const w of [...waiters]) w();
  };
  proc.stdout!.on('data', (chunk: Buffer) => add(chunk.toString('utf8')));
  proc.stderr!.on('data', (chunk: Buffer) => add(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code, signal) => {
      const note = onExit?.(code, signal);
      if (note) add(note);
      resolve(code);
    }),
  );
  return {
    output: () => out,
    tail(lines = 40) {
      // Only the end is split: the output of a long run is megabytes.
      const end = out.slice(-500 * lines).split('\n');
      if (end.at(-1) === '') end.pop();
      return end.slice(-lines).join('\n');
    },
    quietFor: () => Date.now() - last,
    exited,
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
          reject(new Error(`${label}: no ${pattern} in ${ms} ms; output:\n${out.slice(-4000)}`));
        }, ms);
        const gone = () => {
          cleanup();
          reject(new Error(`${label} exited before ${pattern}; output:\n${out.slice(-4000)}`));
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

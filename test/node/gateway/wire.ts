// Two pseudo-terminals joined by a modelled serial wire (wire-relay.mjs, a
// process of its own) that holds every byte for its 10 bit times at the given
// baud rate. A plain pty pair moves bytes as fast as the kernel copies them;
// this one is as slow as a UART, so rates measured through it mean something.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Wire {
  /** The two device paths, like the two ends of a null-modem cable. */
  a: string;
  b: string;
  close(): void;
}

const RELAY = fileURLToPath(new URL('./wire-relay.mjs', import.meta.url));

export async function pacedPtyPair(dir: string, baud = 115200): Promise<Wire> {
  const a = join(dir, 'wireA');
  const b = join(dir, 'wireB');
  const relay = spawn(process.execPath, [RELAY, String(baud), a, b], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    relay.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    relay.once('exit', (code) => reject(new Error(`wire relay exited (${code})`)));
  });
  return { a, b, close: () => relay.kill() };
}

// mosquitto for the black-box suite, on a free port of 127.0.0.1 and, when this
// machine's host name resolves elsewhere, of that address too: a charger can
// then be given the broker by host name, as on a LAN.

import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../gateway/broker';

export interface Broker {
  port: number;
  /** This machine's name, which resolves (through the system's resolver) to an address the broker listens on. */
  hostname: string;
  stop(): Promise<void>;
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host, port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startBroker(dir: string): Promise<Broker> {
  const name = hostname();
  const address = (await lookup(name, { family: 4 })).address;
  const port = await freePort();
  const listeners = [...new Set(['127.0.0.1', address])].map((a) => `listener ${port} ${a}`);
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [...listeners, 'allow_anonymous true', 'persistence false', 'log_dest none', ''].join('\n'));
  const proc = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const start = Date.now();
  while (!(await reachable(address, port))) {
    if (proc.exitCode !== null || Date.now() - start > 5000) throw new Error(`mosquitto did not start on ${listeners.join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port,
    hostname: name,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

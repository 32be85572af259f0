import { ptyPair } from '../test/node/gateway/pty-pair.ts';
import { tempDir } from '../test/node/gateway/rig.ts';
import { SerialLink } from '../hosts/node/serial-link.ts';
import { openSync, constants } from 'node:fs';
import tty from 'node:tty';
const mode = process.argv[2];
const dir = tempDir('w');
const pair = await ptyPair(dir);
async function open(path: string) {
  if (mode === 'sp') return SerialLink.open(path);
  const s = await SerialLink.open(path); await s.close();
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  const r = new tty.ReadStream(fd); const w = new tty.WriteStream(fd);
  let rec: any;
  r.on('data', (b: Buffer) => rec(b));
  return { onReceive: (f: any) => (rec = f), write: (b: Uint8Array) => w.write(b), close: async () => { r.destroy(); } };
}
const a = await open(pair.a); const b = await open(pair.b);
a.onReceive(() => a.write(new Uint8Array(20)));
let n = 0; let resolve: any;
b.onReceive(() => resolve());
const t0 = performance.now();
while (performance.now() - t0 < 2000) { const p = new Promise((r) => (resolve = r)); b.write(new Uint8Array(7)); await p; n++; }
console.log(mode, 'µs/exchange', (1000 * (performance.now() - t0) / n).toFixed(0));
await a.close(); await b.close(); pair.proc.kill(); process.exit(0);

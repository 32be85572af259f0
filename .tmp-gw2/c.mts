import { pacedPtyPair } from '../test/node/gateway/wire.ts';
import { tempDir } from '../test/node/gateway/rig.ts';
import { SerialLink } from '../hosts/node/serial-link.ts';
const baud = Number(process.argv[2]);
const dir = tempDir('w');
const w = await pacedPtyPair(dir, baud);
const a = await SerialLink.open(w.a); const b = await SerialLink.open(w.b);
// echo from a; measure round trips of 7B out, 20B back
a.onReceive(() => a.write(new Uint8Array(20)));
let n = 0; let resolve: any;
b.onReceive(() => resolve());
const t0 = performance.now();
while (performance.now() - t0 < 2000) { const p = new Promise((r) => (resolve = r)); b.write(new Uint8Array(7)); await p; n++; }
const per = (performance.now() - t0) / n;
console.log('baud', baud, 'ms/exchange', per.toFixed(3), 'wire ms', (27 * 10 / baud * 1000).toFixed(3));
await a.close(); await b.close(); w.close();

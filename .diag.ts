import { startCharger } from './hosts/node/cli';
const c = await startCharger({ role: 'standalone', httpPort: 0, httpHost: '127.0.0.1', mqtt: { kind: 'none' }, stateDir: '/tmp/diag', baud: 115200, quiet: false }, { log: (l) => console.log(Date.now() % 100000, l) });
const u = c.http.url;
const st = async () => { const s = await (await fetch(u + '/status')).json(); return `state=${s.state} amp=${s.amp} pilot=${s.pilot} gfci=${s.gfcicount}`; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await sleep(1500);
await fetch(u + '/sim/plug', { method: 'POST' });
for (let i = 0; i < 3; i++) { await sleep(1000); console.log(await st()); }
await fetch(u + '/sim/fault/gfci', { method: 'POST' });
for (let i = 0; i < 4; i++) { await sleep(1000); console.log(await st(), c.station!.controller.state); }
await fetch(u + '/sim/fault/gfci', { method: 'DELETE' });
await fetch(u + '/sim/unplug', { method: 'POST' });
for (let i = 0; i < 3; i++) { await sleep(1000); console.log(await st(), c.station!.controller.state); }
await fetch(u + '/sim/plug', { method: 'POST' });
for (let i = 0; i < 3; i++) { await sleep(1000); console.log(await st(), c.station!.controller.state); }
await c.close();

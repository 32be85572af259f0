// The gateway and the simulated controller in one process but talking over a
// pseudo-terminal pair made by socat at 115200 baud, through serialport: the
// same path a real UART takes on a Raspberry Pi.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../../modules/gateway/gateway';
import { SimStation } from '../../../sim/station';
import { MemoryStorage } from '../../../sim/memory-storage';
import { NodeClock } from '../../../hosts/node/clock';
import { SerialLink } from '../../../hosts/node/serial-link';
import { serveHttp, type RunningHttpServer } from '../../../hosts/node/http-server';
import { cleanup, tempDir, until } from './rig';
import { ptyPair } from './pty-pair';

let dir: string;
let socat: ChildProcess;
let ctlPort: SerialLink;
let gwPort: SerialLink;
let station: SimStation;
let gateway: Gateway;
let http: RunningHttpServer;

beforeAll(async () => {
  dir = tempDir('pty');
  const pair = await ptyPair(dir);
  socat = pair.proc;
  const clock = new NodeClock();
  ctlPort = await SerialLink.open(pair.a, 115200);
  gwPort = await SerialLink.open(pair.b, 115200);
  station = new SimStation({ clock, output: ctlPort });
  ctlPort.onReceive((b) => station.receive(b));
  gateway = new Gateway({ clock, timers: clock, storage: new MemoryStorage(), link: gwPort, info: { id: 'a1b2c3d4e5f6' } });
  gwPort.onReceive((b) => gateway.receive(b));
  station.start();
  gateway.start();
  http = await serveHttp((r) => gateway.http(r));
  await until(() => gateway.monitor.ready && gateway.monitor.snapshot.state === 1, 10000);
}, 20000);

afterAll(async () => {
  await http?.close();
  gateway?.stop();
  station?.stop();
  await gwPort?.close();
  await ctlPort?.close();
  socat?.kill();
  cleanup(dir);
});

describe('gateway ↔ controller over a pseudo-terminal', () => {
  it('connects, reads the controller and answers /status', async () => {
    const s = await (await fetch(http.url + '/status')).json();
    expect(s.rapi_connected).toBe(1);
    expect(s.state).toBe(1);
    expect(s.comm_success).toBe(s.comm_sent);
  });

  it('follows a charge session through $AT over the wire', async () => {
    station.ev.plug();
    station.ev.requestCharge(true);
    await until(() => gateway.monitor.snapshot.state === 3, 10000);
    await until(() => gateway.monitor.snapshot.amp > 0, 5000);
    const s = await (await fetch(http.url + '/status')).json();
    expect(s.state).toBe(3);
    expect(s.vehicle).toBe(1);
    station.ev.unplug();
    await until(() => gateway.monitor.snapshot.state === 1, 5000);
  });

  it('sends /r commands over the wire with their checksums', async () => {
    const r = await (await fetch(http.url + '/r?json=1&rapi=%24GC')).json();
    expect(r.ret).toMatch(/^\$OK 6 80 \d+ \d+\^[0-9A-F]{2}$/);
  });

  it('when the controller goes silent: RAPI_RESPONSE_TIMEOUT, rapi_connected 0; back when it talks again', async () => {
    ctlPort.onReceive(() => {}); // the controller stops listening
    const res = await fetch(http.url + '/r?json=1&rapi=%24GS');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ cmd: '$GS', error: 'RAPI_RESPONSE_TIMEOUT' });
    expect((await (await fetch(http.url + '/status')).json()).rapi_connected).toBe(0);
    ctlPort.onReceive((b) => station.receive(b));
    await until(() => gateway.client.connected && gateway.monitor.ready, 5000);
    expect((await (await fetch(http.url + '/status')).json()).rapi_connected).toBe(1);
  });
});

// The gateway against the real controller (SimStation) over the in-process
// RAPI link on a virtual clock: the fixture of the hardening cases. Every
// frame the controller receives is kept, to show what did (not) reach it.
import { Gateway, type GatewayOptions } from '../../../modules/gateway/gateway';
import type { ByteSink } from '../../../modules/ports';
import { LinkEnd } from '../../../modules/rapi/link';
import { FrameParser } from '../../../modules/rapi/parser';
import { SimStation } from '../../../sim/station';
import { VirtualClock } from '../../../sim/clock';
import { MemoryStorage, bodyJson, request, run, settle } from './fixtures';

/**
 * A UART's pace on one direction of the link: each write arrives when its
 * last byte would, at `baud` 8N1 (10 bits a byte), after the writes before it.
 */
function paced(clock: VirtualClock, sink: ByteSink, baud: number): ByteSink {
  let busyUntil = 0;
  return {
    write(bytes) {
      const copy = bytes.slice();
      const at = Math.max(clock.now(), busyUntil) + (copy.length * 10 * 1000) / baud;
      busyUntil = at;
      clock.set(() => sink.write(copy), Math.ceil(at - clock.now()));
    },
  };
}

/** `baud`: pace the link as a UART at that speed (default: instant). */
export function standalone(options: Partial<GatewayOptions> & { baud?: number } = {}) {
  const clock = new VirtualClock();
  const [gwEnd, ctlEnd] = LinkEnd.pair(clock);
  const gw: ByteSink & { onReceive: LinkEnd['onReceive'] } = options.baud ? { write: paced(clock, gwEnd, options.baud).write, onReceive: (r) => gwEnd.onReceive(r) } : gwEnd;
  const ctl: ByteSink & { onReceive: LinkEnd['onReceive'] } = options.baud ? { write: paced(clock, ctlEnd, options.baud).write, onReceive: (r) => ctlEnd.onReceive(r) } : ctlEnd;
  const station = new SimStation({ clock, output: ctl });
  const received: string[] = [];
  const spy = new FrameParser({ bufferSize: 100, onFrame: (_f, text) => received.push(text) });
  ctl.onReceive((b) => {
    spy.receive(b);
    station.receive(b);
  });
  const storage = new MemoryStorage();
  const gateway = new Gateway({ clock, timers: clock, storage, link: gw, info: { id: 'a1b2c3d4e5f6', version: '5.1.0' }, ...options });
  gw.onReceive((b) => gateway.receive(b));
  const http = (method: string, path: string, opts: Parameters<typeof request>[2] = {}) => settle(clock, gateway.http(request(method, path, opts)));
  const status = async () => bodyJson(await http('GET', '/status'));
  station.start();
  gateway.start();
  /** Commands the controller received, without checksums and sequence ids: "$GS", "$SC 13". */
  const commands = () => received.map((t) => t.replace(/\^..$/, '').replace(/ :..$/, ''));
  return { clock, station, gateway, http, status, storage, received, commands, ready: () => run(clock, 3000) };
}

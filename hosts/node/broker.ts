// The MQTT broker `npm start` embeds, so a newcomer's charger has somewhere
// to publish without installing Mosquitto: aedes (in-memory, MQTT 3.1.1) on a
// plain TCP socket. A real installation points the gateway at its own broker.

import { Aedes } from 'aedes';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface BrokerOptions {
  /** 0 picks a free port (default 1883). */
  port?: number;
  /** Default 127.0.0.1: the embedded broker has no authentication. */
  host?: string;
}

export interface RunningBroker {
  port: number;
  host: string;
  /** mqtt://host:port, for clients. */
  url: string;
  /** Connected clients right now. */
  readonly clients: number;
  close(): Promise<void>;
}

export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const host = options.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker();
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => {
      aedes.close();
      reject(e);
    });
    server.listen(options.port ?? 1883, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    host,
    url: `mqtt://${host}:${port}`,
    get clients() {
      return aedes.connectedClients;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Closing aedes ends every client connection, which lets the server close.
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}

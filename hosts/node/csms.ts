// `npm run csms -- [--port N] [--host ADDR] [--password KEY]`: the
// schema-validating OCPP 1.6J central system of the tests as a program, for
// trying the charger (`npm start -- --ocpp ws://127.0.0.1:PORT/ocpp`) and for
// the fleet tool. Prints its URL, then one JSON line of counts per second
// (the central system's view: connected charge points, messages, boots,
// transactions, schema failures).

import { parseArgs } from 'node:util';
import { CentralSystem } from './central-system';

export interface CsmsView {
  connected: number;
  frames_in: number;
  frames_out: number;
  boots: number;
  starts: number;
  stops: number;
  meter_values: number;
  status_notifications: number;
  schema_failures: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '9000' }, host: { type: 'string', default: '127.0.0.1' }, password: { type: 'string' }, quiet: { type: 'boolean', default: false } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, not "${values.port}"`);
  const counts = { boots: 0, starts: 0, stops: 0, meter_values: 0, status_notifications: 0 };
  const cs = await CentralSystem.start({ port, host: values.host, password: values.password, record: false, onCall: (action) => {
    if (action === 'BootNotification') counts.boots++;
    else if (action === 'StartTransaction') counts.starts++;
    else if (action === 'StopTransaction') counts.stops++;
    else if (action === 'MeterValues') counts.meter_values++;
    else if (action === 'StatusNotification') counts.status_notifications++;
  } });
  process.stdout.write(`csms ${cs.url}/<chargeBoxId>\n`);
  const view = (): CsmsView => ({ connected: cs.clients.size, frames_in: cs.frames.in, frames_out: cs.frames.out, ...counts, schema_failures: cs.failures.length });
  const timer = setInterval(() => {
    if (!values.quiet) process.stdout.write(`view ${JSON.stringify(view())}\n`);
    for (const f of cs.failures.splice(0)) process.stderr.write(`schema failure: ${JSON.stringify(f)}\n`);
  }, 1000);
  const stop = async (): Promise<void> => {
    clearInterval(timer);
    process.stdout.write(`view ${JSON.stringify(view())}\n`);
    await cs.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`csms: ${(e as Error).message}\n`);
  process.exit(1);
});

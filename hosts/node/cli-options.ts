// The command line of `npm start`: what runs here (role), where it listens,
// which MQTT broker, where state persists. Parsing only: a bad flag is a
// UsageError with the reason, before anything starts.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export type Role = 'standalone' | 'gateway' | 'controller';

export type MqttChoice =
  | { kind: 'embedded'; port: number }
  | { kind: 'external'; url: string }
  | { kind: 'none' };

export interface CliOptions {
  role: Role;
  httpPort: number;
  httpHost: string;
  mqtt: MqttChoice;
  stateDir: string;
  /** Advertise over mDNS (`_openevse._tcp`, `_http._tcp`). */
  mdns?: boolean;
  serial?: string;
  baud: number;
  quiet: boolean;
  /** --ocpp URL and --ocpp-id: the OCPP central system to join (else what /config holds). */
  ocpp?: { server: string; chargeBoxId?: string };
}

export const USAGE = `Usage: npm start -- [options]

  --role standalone|gateway|controller   what runs here (default standalone)
        standalone  simulated controller + EV + gateway, linked in memory
        gateway     the gateway, driving a real controller on --serial
        controller  the simulated controller + EV, answering RAPI on --serial
  --serial PATH        serial port or pseudo-terminal (gateway, controller)
  --baud N             serial speed (default 115200)
  --http-port N        HTTP port (default 8080; 0 picks a free one)
  --http-host ADDR     HTTP address (default 127.0.0.1)
  --mqtt URL           use this broker (mqtt://user:pass@host:port/topic); no embedded broker
  --mqtt-port N        port of the embedded broker (default 1883; 0 picks a free one)
  --no-mqtt            no MQTT at all
  --no-mdns            do not advertise _openevse._tcp / _http._tcp over mDNS
  --ocpp URL           join this OCPP 1.6J central system (ws:// or wss://; sets ocpp_enabled, ocpp_server)
  --ocpp-id ID         the charge box id there (ocpp_chargeBoxId; default the hostname)
  --state-dir DIR      where config, counters and the crash log persist (default ./.state)
  --quiet              no log lines, only the banner
  --help               this text
`;

export class UsageError extends Error {}

function port(name: string, value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`${name} must be a port number 0–65535, not "${value}"`);
  return Number(value);
}

/** Command-line arguments (without node and the script) → options; throws UsageError. */
export function parseCli(argv: string[], cwd = '.'): CliOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        role: { type: 'string', default: 'standalone' },
        serial: { type: 'string' },
        baud: { type: 'string', default: '115200' },
        'http-port': { type: 'string', default: '8080' },
        'http-host': { type: 'string', default: '127.0.0.1' },
        mqtt: { type: 'string' },
        'mqtt-port': { type: 'string', default: '1883' },
        'no-mqtt': { type: 'boolean', default: false },
        'no-mdns': { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        ocpp: { type: 'string' },
        'ocpp-id': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const role = v.role as string;
  if (role !== 'standalone' && role !== 'gateway' && role !== 'controller') throw new UsageError(`--role must be standalone, gateway or controller, not "${role}"`);
  if (role !== 'standalone' && !v.serial) throw new UsageError(`--role ${role} needs --serial PATH`);
  if (role === 'standalone' && v.serial) throw new UsageError('--serial needs --role gateway or --role controller');
  if (v.mqtt !== undefined && v['no-mqtt']) throw new UsageError('--mqtt and --no-mqtt exclude each other');
  let mqtt: MqttChoice;
  if (v['no-mqtt'] || role === 'controller') mqtt = { kind: 'none' };
  else if (v.mqtt !== undefined) {
    mqttSettings(v.mqtt); // validates
    mqtt = { kind: 'external', url: v.mqtt };
  } else mqtt = { kind: 'embedded', port: port('--mqtt-port', v['mqtt-port'] as string) };
  if (v.ocpp !== undefined && !/^wss?:\/\/\S+$/.test(v.ocpp as string)) throw new UsageError(`--ocpp must be a ws:// or wss:// URL, not "${v.ocpp}"`);
  if (v['ocpp-id'] !== undefined && v.ocpp === undefined) throw new UsageError('--ocpp-id needs --ocpp URL');
  if (v.ocpp !== undefined && role === 'controller') throw new UsageError('--ocpp needs the gateway (--role standalone or gateway)');
  const baud = Number(v.baud);
  if (!Number.isInteger(baud) || baud <= 0) throw new UsageError(`--baud must be a positive integer, not "${v.baud}"`);
  return {
    role,
    httpPort: port('--http-port', v['http-port'] as string),
    httpHost: v['http-host'] as string,
    mqtt,
    stateDir: resolve(cwd, (v['state-dir'] as string | undefined) ?? '.state'),
    mdns: !v['no-mdns'],
    serial: v.serial as string | undefined,
    baud,
    quiet: v.quiet as boolean,
    ocpp: v.ocpp === undefined ? undefined : { server: v.ocpp as string, chargeBoxId: v['ocpp-id'] as string | undefined },
  };
}

/** mqtt[s]://[user[:pass]@]host[:port][/topic] → the gateway's /config fields. */
export function mqttSettings(url: string): Record<string, string | number | boolean> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--mqtt must be a URL like mqtt://host:1883, not "${url}"`);
  }
  const protocol = u.protocol.replace(/:$/, '');
  if (protocol !== 'mqtt' && protocol !== 'mqtts') throw new UsageError(`--mqtt must start with mqtt:// or mqtts://, not "${url}"`);
  const out: Record<string, string | number | boolean> = {
    mqtt_enabled: true,
    mqtt_protocol: protocol,
    mqtt_server: u.hostname.replace(/^\[|\]$/g, ''),
    mqtt_port: u.port ? Number(u.port) : protocol === 'mqtts' ? 8883 : 1883,
  };
  if (u.username) out.mqtt_user = decodeURIComponent(u.username);
  if (u.password) out.mqtt_pass = decodeURIComponent(u.password);
  const topic = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  if (topic) out.mqtt_topic = topic;
  return out;
}

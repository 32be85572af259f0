// The lines `npm start` prints once the charger answers: where each of its
// doors is (dashboard, API, WebSocket, simulation, MQTT) and where state is kept.

import type { Gateway } from '../../modules/gateway/gateway';
import type { RunningBroker } from './broker';
import type { CliOptions } from './cli-options';
import type { RunningHttpServer } from './http-server';

export function banner(o: CliOptions, http: RunningHttpServer, broker: RunningBroker | undefined, gateway: Gateway | undefined): string[] {
  const lines = [`evse-xs ${o.role}${o.serial ? ` on ${o.serial} at ${o.baud} baud` : ''}`];
  if (gateway) {
    lines.push(`  dashboard   ${http.url}/`);
    lines.push(`  HTTP API    ${http.url}/status   ${http.url}/config   ${http.url}/r?json=1&rapi=$GS`);
    lines.push(`  WebSocket   ${http.url.replace(/^http/, 'ws')}/ws   (status, then changes as they happen)`);
  }
  if (o.role !== 'gateway') lines.push(`  simulation  ${http.url}/sim/status   (POST /sim/plug, /sim/unplug, /sim/fault/NAME …)`);
  if (gateway) {
    const topic = gateway.config.get('mqtt_topic');
    if (broker) lines.push(`  MQTT        ${broker.url} (embedded broker)`);
    else if (o.mqtt.kind === 'external') lines.push(`  MQTT        ${o.mqtt.url.replace(/\/\/[^@/]*@/, '//')}`);
    else lines.push('  MQTT        off');
    if (o.mqtt.kind !== 'none') {
      lines.push(`  topics      ${topic}/#  (state, amp, pilot, …)   commands: ${topic}/rapi/in/$SC  → ${topic}/rapi/out`);
      lines.push(`  announce    ${gateway.config.get('mqtt_announce_topic')}`);
    }
  }
  lines.push(`  state       ${o.stateDir}`);
  lines.push('  Ctrl-C stops it, state saved.');
  return lines;
}

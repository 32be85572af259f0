// The MqttConnect port over the `mqtt` npm package: one connection per call,
// the package's own reconnect switched off (the core's bridge decides when to
// retry), events translated to the port's three callbacks.

import mqtt from 'mqtt';
import type { MqttConnect, MqttConnectOptions, MqttEvents, MqttSession } from '../../modules/ports';

export const mqttConnect: MqttConnect = (o: MqttConnectOptions, events: MqttEvents): MqttSession => {
  const client = mqtt.connect({
    protocol: o.protocol,
    host: o.host,
    port: o.port,
    clientId: o.clientId,
    username: o.username,
    password: o.password,
    keepalive: o.keepalive,
    rejectUnauthorized: o.rejectUnauthorized,
    reconnectPeriod: 0,
    connectTimeout: 10000,
    clean: true,
    will: o.will ? { topic: o.will.topic, payload: Buffer.from(o.will.payload), retain: o.will.retain, qos: o.will.qos } : undefined,
  });
  let closed = false;
  const close = (reason: string) => {
    if (closed) return;
    closed = true;
    client.end(true);
    events.onClose(reason);
  };
  client.on('connect', () => events.onConnect());
  client.on('message', (topic, payload) => events.onMessage(topic, payload.toString('utf8')));
  client.on('error', (e) => close(e.message));
  client.on('close', () => close('closed'));
  client.on('offline', () => close('offline'));
  return {
    publish(topic, payload, options) {
      if (!closed) client.publish(topic, payload, { retain: options.retain, qos: options.qos });
    },
    subscribe(topic, onRefused) {
      if (closed) return;
      client.subscribe(topic, { qos: 0 }, (err, granted) => {
        if (err) onRefused?.(err.message);
        else if (granted?.some((g) => g.qos === 128)) onRefused?.('refused by the broker');
      });
    },
    close() {
      // A planned close sends DISCONNECT after what is queued, so the broker drops the last will.
      closed = true;
      client.end(false);
    },
  };
};

// An MqttConnect whose npm client package loads on the first connection, not
// at start-up: `mqtt` takes about 150 ms to load, longer than `npm start`
// may take to its first /status. Until the package is in, the session holds
// what it is asked to do and passes it on in order; the bridge sends nothing
// before onConnect, which comes only from the loaded client.

import type { MqttConnect, MqttSession } from '../../modules/ports';

export function lazyMqttConnect(load: () => Promise<MqttConnect>): MqttConnect {
  return (options, events) => {
    let session: MqttSession | undefined;
    let closed = false;
    const waiting: ((s: MqttSession) => void)[] = [];
    load().then(
      (connect) => {
        if (closed) return;
        session = connect(options, events);
        for (const w of waiting.splice(0)) w(session);
      },
      (e: Error) => {
        if (!closed) events.onClose(`the mqtt package did not load: ${e.message}`);
      },
    );
    const later = (w: (s: MqttSession) => void) => (session ? w(session) : waiting.push(w));
    return {
      publish: (topic, payload, o) => later((s) => s.publish(topic, payload, o)),
      subscribe: (topic) => later((s) => s.subscribe(topic)),
      close: () => {
        closed = true;
        waiting.length = 0;
        session?.close();
      },
    };
  };
}

// What the router's built-in routes (http-api.ts: /status, /config, /r, /scan,
// /savenetwork, /savemqtt, /crashlog, /apoff, /reset, /restart, /debug, /evse,
// the dashboard's files) need from the gateway, bound to one gateway.

import type { Gateway, SystemPort } from './gateway';
import type { HttpBackend } from './http-api';
import { isReply } from './rapi-client';

export function builtinBackend(gw: Gateway, system: SystemPort | undefined): HttpBackend {
  return {
    status: () => gw.status(),
    config: () => gw.configDoc(),
    updateConfig: (u) => gw.updateConfig(u),
    rapi: (c) => gw.rapi(c),
    crashlog: (n) => ({ boot_count: gw.crashLog.current.boot_count, crash_seq: gw.crashLog.current.seq, events: gw.crashLog.recent(n) }),
    scan: async () => (await system?.scan?.()) ?? [],
    saveNetwork: (ssid, pass) => {
      const r = gw.config.update(pass === undefined ? { ssid } : { ssid, pass });
      if (r.ok) {
        gw.log(`network: saved ssid ${ssid}`);
        gw.later(() => system?.joinNetwork?.(gw.config.get('ssid'), gw.config.get('pass')));
      }
    },
    apOff: () => gw.later(() => system?.apOff?.(), 1000),
    reset: () => {
      gw.log('config: reset to defaults');
      gw.config.reset();
      gw.applyMqtt();
      gw.later(() => system?.restart?.());
    },
    restart: async (device) => {
      if (device === 'evse') {
        const r = await gw.client.send('FR');
        return isReply(r) && r.ok;
      }
      gw.log('gateway: restart requested');
      gw.later(() => {
        gw.stop();
        system?.restart?.();
      });
      return true;
    },
    debugText: () => gw.debug.text(),
    evseText: () => gw.evse.text(),
    credentials: () => {
      const pass = gw.config.get('www_password');
      if (pass === '' || gw.network().mode === 'AP') return undefined;
      return { user: gw.config.get('www_username') || 'openevseadmin', pass };
    },
    file: system?.file ? (p) => system.file!(p) : undefined,
    log: (l) => gw.log(l),
    now: () => gw.now(),
  };
}

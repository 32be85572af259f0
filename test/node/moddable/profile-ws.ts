// `/ws` clients in the ESP32 memory profile (esp32-profile.test.ts): each role
// gets EVSE_PROFILE_WS clients (a number for every role, or per role as
// `gateway=4,standalone=2`; at most 4, the device's limit; 0 for none),
// connected before the load starts and for all of it, reading everything the
// charger pushes, as the dashboard, Home Assistant and evcc keep theirs open.
// A client counts only if it got the full status document first and then
// fragments all through the load (the plugs and unplugs change the state,
// the charging current and power change every second), and was never dropped.
//
// Kept apart from the profile test so that the test's load and limits stay
// where they are.

import { openWs, type WsClient } from '../blackbox/ws-client';

/** Clients per role by default (EVSE_PROFILE_WS). */
const DEFAULT = '4';

/** Keys every status document has and a fragment does not carry all at once. */
const DOCUMENT_KEYS = ['state', 'amp', 'pilot', 'elapsed', 'config_version'];

export interface ProfileWs {
  /** Opens the clients to `role` and waits for each one's status document. */
  connect(role: string, url: string): Promise<void>;
  /** A line for the role's report ('' without clients). */
  report(role: string): string;
  /** What went wrong on the clients' side in `role`. */
  problems(role: string, seconds: number): string[];
  close(): void;
}

/** Clients per role from EVSE_PROFILE_WS: "4" (every role), or per role, e.g. "gateway=4,standalone=2". */
export function wsClientsPerRole(spec: string): (role: string) => number {
  const all = /^\d+$/.test(spec.trim()) ? Number(spec) : undefined;
  const per = new Map<string, number>();
  if (all === undefined)
    for (const part of spec.split(',').filter((p) => p.trim() !== '')) {
      const m = /^\s*(gateway|standalone)\s*=\s*(\d+)\s*$/.exec(part);
      if (!m) throw new Error(`EVSE_PROFILE_WS: "${part}" is neither a number of clients nor role=number (roles: gateway, standalone)`);
      per.set(m[1], Number(m[2]));
    }
  for (const n of [all ?? 0, ...per.values()]) if (n > 4) throw new Error(`EVSE_PROFILE_WS: ${n} clients is over the device's limit of 4`);
  return (role) => all ?? per.get(role) ?? 0;
}

export function profileWs(spec = process.env.EVSE_PROFILE_WS ?? DEFAULT): ProfileWs {
  const clientsOf = wsClientsPerRole(spec);
  const byRole = new Map<string, { clients: WsClient[]; closes: string[] }>();
  const fragments = (c: WsClient) => c.got.length - 1;
  return {
    async connect(role, url) {
      const entry = { clients: [] as WsClient[], closes: [] as string[] };
      byRole.set(role, entry);
      for (let i = 0; i < clientsOf(role); i++) {
        const c = await openWs(url);
        entry.clients.push(c);
        void c.closed.then(({ code, reason }) => entry.closes.push(`client ${i + 1} closed ${code} ${reason}`));
        await c.next(() => true, 10_000, `${role}: /ws client ${i + 1}'s status document`);
      }
    },
    report(role) {
      const entry = byRole.get(role);
      if (!entry?.clients.length) return '';
      const counts = entry.clients.map(fragments);
      return `  /ws                        ${entry.clients.length} clients connected all through: status document, then ${counts.join(', ')} fragments`;
    },
    problems(role, seconds) {
      const entry = byRole.get(role);
      if (!entry) return clientsOf(role) ? [`ESP32 profile, ${role} role, /ws: no clients connected`] : [];
      const head = `ESP32 profile, ${role} role, /ws`;
      const out = entry.closes.map((c) => `${head}: ${c} during the run`);
      entry.clients.forEach((c, i) => {
        const first = c.got[0]?.doc ?? {};
        const missing = DOCUMENT_KEYS.filter((k) => !(k in first));
        if (missing.length) out.push(`${head}: client ${i + 1}'s first message is not the status document (no ${missing.join(', ')}): ${JSON.stringify(first).slice(0, 200)}`);
        // charging, the power and current change every second; the plugs change the state
        if (fragments(c) < seconds / 2) out.push(`${head}: client ${i + 1} got only ${fragments(c)} fragments in ${seconds} s`);
        const size = Object.keys(first).length;
        if (!c.got.slice(1).some((m) => 'state' in m.doc && Object.keys(m.doc).length < size / 2))
          out.push(`${head}: client ${i + 1} got no state-change fragment though the EV was plugged in and out`);
      });
      return out;
    },
    close() {
      for (const { clients: cs } of byRole.values()) for (const c of cs) c.close();
    },
  };
}

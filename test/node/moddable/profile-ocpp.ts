// OCPP in the ESP32 memory profile (esp32-profile.test.ts): the roles named in
// EVSE_PROFILE_OCPP (comma-separated: `gateway`, `standalone`; by default
// `gateway`, the OpenEVSE Wi-Fi module's case; `none` for no OCPP) run
// connected to a schema-validating central system (ocpp-rpc
// strict mode) that this helper starts on a free port, the way a user
// switches OCPP on: POST /config ocpp_enabled, ocpp_server, ocpp_chargeBoxId,
// ocpp_authkey. The profile's load plugs and unplugs the EV, so transactions
// start and stop all through the run (about one a second, so few last the
// 10 s between sampled MeterValues; test/node/moddable/ocpp.test.ts checks those).
//
// Kept apart from the profile test so that the test's load and limits stay
// where they are.

import { CentralSystem } from '../../../hosts/node/central-system';

const KEY = 'profile-key';

export interface ProfileOcpp {
  /** Roles that run OCPP in this profile run. */
  readonly roles: readonly string[];
  /** Switches OCPP on in `role` (if it is one of `roles`) and waits for its boot to be accepted. */
  enable(role: string, url: string): Promise<void>;
  /** A line for the role's report ('' when OCPP is off there). */
  report(role: string): string;
  /** The central system's view of `role` for a stall report: connection, counts, the last messages ('' when OCPP is off there). */
  state(role: string): string;
  /** What went wrong on OCPP's side in `role`. */
  problems(role: string): string[];
  close(): Promise<void>;
}

function box(role: string): string {
  return `profile-${role}`;
}

/** From EVSE_PROFILE_OCPP (e.g. "gateway", the default, or "gateway,standalone"); "none": nothing is started. */
export async function profileOcpp(spec = process.env.EVSE_PROFILE_OCPP ?? 'gateway'): Promise<ProfileOcpp> {
  const roles = (spec.trim() === 'none' ? '' : spec)
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  for (const r of roles) if (r !== 'gateway' && r !== 'standalone') throw new Error(`EVSE_PROFILE_OCPP: "${r}" is not a role of the profile (gateway, standalone; or none)`);
  const cs = roles.length ? await CentralSystem.start({ password: KEY }) : undefined;
  const count = (role: string, action: string) => cs!.sent(box(role), action).length;
  return {
    roles,
    async enable(role, url) {
      if (!cs || !roles.includes(role)) return;
      const id = box(role);
      const r = await fetch(url + '/config', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ocpp_enabled: true, ocpp_server: cs.url, ocpp_chargeBoxId: id, ocpp_authkey: KEY, ocpp_suspend_evse: true, ocpp_energize_plug: true }),
        signal: AbortSignal.timeout(10_000),
      });
      if (r.status !== 200) throw new Error(`${role}: POST /config for OCPP answered ${r.status}: ${await r.text()}`);
      await cs.waitFor(() => cs.sent(id, 'BootNotification').some((e) => e.result?.status === 'Accepted') && cs.sent(id, 'StatusNotification').length >= 2, 30_000, `${role}: OCPP boot`);
      const set = await cs.call(id, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '10' });
      if (set.status !== 'Accepted') throw new Error(`${role}: MeterValueSampleInterval refused: ${JSON.stringify(set)}`);
    },
    report(role) {
      if (!cs || !roles.includes(role)) return '';
      return `  OCPP                       connected to a strict central system: ${count(role, 'StartTransaction')} StartTransaction, ${count(role, 'StopTransaction')} StopTransaction, ${count(role, 'MeterValues')} MeterValues, ${count(role, 'StatusNotification')} StatusNotification, ${cs.failures.filter((f) => f.identity === box(role)).length} schema failures`;
    },
    state(role) {
      if (!cs || !roles.includes(role)) return '';
      const id = box(role);
      const log = cs.log.filter((e) => e.identity === id);
      const ago = (at: number) => `${((Date.now() - at) / 1000).toFixed(1)} s ago`;
      const counts: Record<string, number> = {};
      for (const e of log) {
        const key = e.from === 'cp' ? e.action : `(to the charger) ${e.action}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      return [
        `central system's view of ${id}: ${cs.clients.has(id) ? 'connected' : 'NOT connected'}, ${cs.refused.filter((r) => r === id).length} refused, ${cs.failures.filter((f) => f.identity === id).length} schema failures; frames in/out (all charge points) ${cs.frames.in}/${cs.frames.out}`,
        `  messages: ${JSON.stringify(counts)}`,
        ...log.slice(-8).map((e) => `  ${ago(e.at)}: ${e.from} ${e.action} ${JSON.stringify(e.params).slice(0, 160)} -> ${e.error ?? JSON.stringify(e.result ?? null).slice(0, 80)}`),
      ].join('\n');
    },
    problems(role) {
      if (!cs || !roles.includes(role)) return [];
      const head = `ESP32 profile, ${role} role, OCPP`;
      const out: string[] = [];
      if (!cs.clients.has(box(role))) out.push(`${head}: not connected at the end of the run`);
      if (count(role, 'BootNotification') !== 1) out.push(`${head}: ${count(role, 'BootNotification')} BootNotifications (a reconnection or a restart during the run)`);
      if (count(role, 'StartTransaction') === 0) out.push(`${head}: no transaction started while the EV was plugged in and out`);
      const failures = cs.failures.filter((f) => f.identity === box(role));
      if (failures.length) out.push(`${head}: ${failures.length} schema failures, e.g. ${JSON.stringify(failures[0])}`);
      return out;
    },
    async close() {
      await cs?.close();
    },
  };
}

// Load sharing between chargers on one circuit, as a gateway feature: the
// group_* settings, GET /group, the `group` status field (this member's
// signed message, which peers read on its /ws), and one claim, client
// 0x0001000e at the safety priority: a cap at the share the protocol allows
// (modules/energy/group), or a pause when that share is under the minimum.
// Peers are the addresses in `group_members` and, with `group_mdns`, the
// `_openevse._tcp` instances of the same group found on the LAN.

import { GroupMember, type GroupSettings } from '../../energy/group/member';
import { PeerLink } from '../../energy/group/peer-link';
import { GROUP_TIMING, heartbeatSeconds } from '../../energy/group/timing';
import type { ServiceDiscovery, WebSocketConnect } from '../../ports';
import type { Feature, FeatureContext, FeatureFactory } from '../feature';
import { answer } from '../http-answer';
import { Priority } from '../claims';
import { isReply } from '../rapi-client';
import type { ConfigSpec } from '../config-store';
import type { Json } from '../status';

export const GROUP_CLIENT = 0x0001000e;
const STATE_CONNECTED = 2;
/** `$GE` flag: auto-start off, the controller boots asleep (`$FF S 0`). */
const FLAG_AUTO_START_OFF = 0x0040;
const STATE_CHARGING = 3;
/** OpenEVSE fault states: 4 (vent required) to 14 (relay closure). */
const STATE_FAULT_FIRST = 4;
const STATE_FAULT_LAST = 0x0e;
const VFLAG_EV_CONNECTED = 0x0100;
const STATE_SLEEPING = 254;
const STATE_DISABLED = 255;

export const GROUP_KEYS: Record<string, ConfigSpec> = {
  group_enabled: { type: 'boolean', default: false },
  group_name: { type: 'string', max: 32, default: 'evse-group' },
  group_key: { type: 'string', max: 64, secret: true, default: '' },
  group_limit: { type: 'integer', min: 6, max: 1000, default: 32 },
  group_size: { type: 'integer', min: 1, max: 16, default: 2 },
  group_members: { type: 'string', max: 512, default: '' },
  group_mdns: { type: 'boolean', default: false },
  group_rotation_time: { type: 'integer', min: 10, max: 86400, default: 900 },
};

export interface LoadSharingPorts {
  connect?: WebSocketConnect;
  discovery?: ServiceDiscovery;
}

/** "host:port" entries of `group_members` (comma or space separated). */
export function memberAddresses(list: string): string[] {
  return list
    .split(/[\s,]+/)
    .map((a) => a.trim())
    .filter((a) => /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(a));
}

export function loadSharingFeature(ports: LoadSharingPorts = {}): FeatureFactory {
  return (ctx: FeatureContext) => new LoadSharing(ctx, ports).feature();
}

class LoadSharing {
  readonly #ctx: FeatureContext;
  readonly #ports: LoadSharingPorts;
  #member?: GroupMember;
  readonly #links = new Map<string, PeerLink>();
  #timers: unknown[] = [];
  #autoStartAsked = -Infinity;
  /** The controller answered OK to `$FF S 0` since it last booted. */
  #autoStartAcked = false;
  #browse?: { stop(): void };

  constructor(ctx: FeatureContext, ports: LoadSharingPorts) {
    this.#ctx = ctx;
    this.#ports = ports;
  }

  #settings(): GroupSettings {
    const c = (k: string) => this.#ctx.config(k);
    return {
      group: String(c('group_name')),
      key: String(c('group_key')),
      limit: Number(c('group_limit')),
      size: Number(c('group_size')),
      min: this.#ctx.snapshot().minCurrent || 6,
      rotationMs: Number(c('group_rotation_time')) * 1000,
    };
  }

  /**
   * A this charger's EV would take: none unplugged or in a fault, none while another claim holds
   * it paused. Plugged in is the controller's EV-connected flag, which holds while the group's
   * own pause lasts and through the wake after it: on `$FE` the controller reports state 0 for
   * 250 ms, and a want of 0 published then made the coordinator grant 0, which paused the
   * member again (the restart toggling).
   */
  #want(): number {
    const s = this.#ctx.snapshot();
    const connected = (s.vflags & VFLAG_EV_CONNECTED) !== 0 || s.state === STATE_CONNECTED || s.state === STATE_CHARGING;
    if (!connected || (s.state >= STATE_FAULT_FIRST && s.state <= STATE_FAULT_LAST)) return 0;
    let best = -1;
    let state: string | undefined;
    let cap = s.maxCurrentSoft || s.maxCurrentHard || 32;
    for (const c of this.#ctx.claimList()) {
      if (c.client === GROUP_CLIENT) continue;
      if (c.properties.state !== undefined && c.priority > best) {
        best = c.priority;
        state = c.properties.state;
      }
      if (c.properties.max_current !== undefined) cap = Math.min(cap, c.properties.max_current);
    }
    return state === 'disabled' ? 0 : cap;
  }

  #offer(): number {
    const s = this.#ctx.snapshot();
    return s.state === STATE_CONNECTED || s.state === STATE_CHARGING ? s.pilot : 0;
  }

  #apply(ceiling: number): void {
    const min = this.#ctx.snapshot().minCurrent || 6;
    const props = ceiling >= min ? { max_current: ceiling } : { state: 'disabled' as const, max_current: min };
    void this.#ctx.claim(GROUP_CLIENT, props);
  }

  #start(): void {
    const ctx = this.#ctx;
    if (ctx.config('group_enabled') !== true) return;
    const settings = this.#settings();
    if (settings.key === '') {
      ctx.log('group: group_key is empty; load sharing needs a shared key (not started)');
      return;
    }
    const boot = `${Math.floor(Math.random() * 0x7fffffff).toString(36)}${Math.floor(ctx.clock.wall() % 1e6).toString(36)}`;
    const member = new GroupMember({
      id: String(ctx.config('hostname')),
      boot,
      now: () => ctx.clock.now(),
      settings: () => this.#settings(),
      want: () => this.#want(),
      offer: () => this.#offer(),
      onCeiling: (c) => {
        this.#apply(c);
        ctx.telemetry.update();
      },
    });
    this.#member = member;
    this.#apply(member.ceiling());
    this.#autoStartAsked = -Infinity;
    this.#autoStart(false);
    ctx.log(`group: ${settings.group}, ${settings.limit} A for ${settings.size} chargers; fallback ${member.fallback} A`);
    for (const a of memberAddresses(String(ctx.config('group_members')))) this.#link(a);
    if (ctx.config('group_mdns') === true && this.#ports.discovery) {
      this.#browse = this.#ports.discovery.browse((address, txt) => {
        // Any charger that announces itself: one outside the group sends no group messages, or
        // ones this member refuses (other name, limit or key); `group` in the TXT, when present, must match.
        if (txt.group === undefined || txt.group === settings.group) this.#link(address);
      });
    }
    this.#timers.push(
      ctx.timers.repeat(() => {
        member.publish();
        this.#autoStart(false);
        ctx.telemetry.update();
      }, member.timing.publishMs),
      ctx.timers.repeat(() => member.tick(), 100),
    );
  }

  #link(address: string): void {
    const connect = this.#ports.connect;
    if (!connect || this.#links.has(address)) return;
    const ctx = this.#ctx;
    this.#links.set(
      address,
      new PeerLink({
        address,
        connect,
        timers: ctx.timers,
        silentMs: GROUP_TIMING.freshMs * 2,
        retryMs: 1000,
        auth: () => {
          const pass = String(ctx.config('www_password') ?? '');
          return pass ? { user: String(ctx.config('www_username') || 'openevseadmin'), pass } : undefined;
        },
        onGroup: (doc) => {
          this.#member?.receive(doc);
        },
      }),
    );
  }

  /**
   * A member's controller must come up asleep after a power cut or a crash:
   * until its gateway is back and has a share, any current it offered could
   * be another member's. `$FF S 0` (persisted in the controller) does that;
   * leaving the group turns auto-start back on. Turning it off does not wait
   * for the controller's state: during its power-on self test the controller
   * takes `$FF` (not `$FS`), and this is what makes it end that test asleep
   * rather than offering its full current to an EV already waiting until the
   * gateway has read the boot and paused it.
   */
  #autoStart(on: boolean): void {
    const ctx = this.#ctx;
    const s = ctx.snapshot();
    const off = (s.flags & FLAG_AUTO_START_OFF) !== 0;
    if (on ? s.state === 0 || !off : this.#autoStartAcked || off) return;
    const now = ctx.clock.now();
    // Until the controller has said OK, ask every second; after, the monitor reads the flags back
    // within its 30 s slow poll: do not write the controller's flash every round meanwhile.
    if (now - this.#autoStartAsked < (on ? 30000 : 1000)) return;
    this.#autoStartAsked = now;
    if (on) this.#autoStartAcked = false;
    void ctx.rapi.send('FF', ['S', on ? 1 : 0]).then((r) => {
      if (!on && this.#member !== undefined && isReply(r) && r.ok) this.#autoStartAcked = true;
    });
  }

  /**
   * Whether this member's controller is bound by the group: auto-start off is
   * confirmed, and the controller is paused or offers no more than the ceiling.
   * Before that, an EV plugged in here may be offered what the group does not count.
   */
  #held(): boolean {
    const m = this.#member;
    const s = this.#ctx.snapshot();
    if (!m || s.state === 0) return false;
    if (!this.#autoStartAcked && (s.flags & FLAG_AUTO_START_OFF) === 0) return false;
    const paused = s.state === STATE_SLEEPING || s.state === STATE_DISABLED;
    return paused || (m.ceiling() >= (s.minCurrent || 6) && s.pilot <= m.ceiling());
  }

  #stop(): void {
    for (const t of this.#timers) this.#ctx.timers.clear(t);
    this.#timers = [];
    for (const l of this.#links.values()) l.close();
    this.#links.clear();
    this.#browse?.stop();
    this.#browse = undefined;
    this.#member = undefined;
    void this.#ctx.release(GROUP_CLIENT);
  }

  #doc(): Record<string, unknown> {
    const m = this.#member;
    const now = this.#ctx.clock.now();
    return {
      enabled: m !== undefined,
      held: this.#held(),
      id: String(this.#ctx.config('hostname')),
      name: String(this.#ctx.config('group_name')),
      limit: Number(this.#ctx.config('group_limit')),
      size: Number(this.#ctx.config('group_size')),
      fallback: m ? m.fallback : 0,
      ceiling: m ? m.ceiling() : null,
      coordinator: m?.vote ?? null,
      coordinating: m?.coordinating ?? false,
      links: [...this.#links.values()].map((l) => ({ address: l.address, up: l.up, received: l.received, error: l.lastError })),
      peers: m
        ? m.peers().map((p) => ({
            id: p.id,
            fresh: m.fresh(p),
            age_ms: Math.round(now - p.heardAt),
            want: p.message.want,
            ceiling: p.message.ceiling,
            offer: p.message.offer,
            vote: p.message.vote,
          }))
        : [],
      errors: m ? m.errors.count : 0,
      last_error: m ? m.errors.last : '',
    };
  }

  feature(): Feature {
    return {
      name: 'load-sharing',
      config: GROUP_KEYS,
      claims: [{ client: GROUP_CLIENT, priority: Priority.Safety }],
      status: [
        {
          fields: () => {
            const m = this.#member;
            if (!m) return { group_enabled: false };
            return {
              group_enabled: true,
              group_ceiling: m.ceiling(),
              group_coordinator: m.vote ?? '',
              group_peers: m.peers().filter((p) => m.fresh(p)).length,
              ...(m.lastMessage ? { group: m.lastMessage as unknown as Json } : {}),
            };
          },
        },
      ],
      routes: [{ path: '/group', methods: ['GET'], handle: () => answer(200, this.#doc()) }],
      start: () => this.#start(),
      stop: () => this.#stop(),
      configChanged: (keys) => {
        if (!keys.some((k) => k.startsWith('group_') || k === 'hostname')) return;
        // A new configuration is a new member: it goes through its boot quarantine again.
        this.#stop();
        this.#start();
        if (this.#member === undefined) {
          this.#autoStartAsked = -Infinity;
          this.#autoStart(true);
        }
      },
      // While a member: a gateway that stops (a crash that leaves the chip running, a stall) must not
      // leave its pilot above what the coordinator counts. The controller's own supervision drops it
      // to what the member may offer with no grant (0 in the boot quarantine: sleep).
      heartbeat: () => {
        const m = this.#member;
        return m ? { interval: heartbeatSeconds(m.timing), current: m.ceilingWithoutGrant() } : undefined;
      },
      heartbeatMissed: () => this.#member?.tick(),
      controllerBooted: () => {
        this.#autoStartAsked = -Infinity;
        this.#autoStartAcked = false;
      },
    };
  }
}

// One charger's load-sharing member: reads its peers' messages, votes,
// coordinates when it holds a majority, publishes its own message, and
// knows at every moment the most it may offer (`ceiling`). The host calls
// `receive` with each peer message and `publish` every `publishMs`, and
// turns the ceiling into a claim (gateway feature). Pure: time comes in.

import { Ballot } from './ballot';
import { Coordinator, type Candidate } from './coordinator';
import { Lease } from './lease';
import { echoParts, parseMessage, sign, verify, type GroupMessage } from './message';
import { fallbackShare, GROUP_TIMING, type GroupTiming } from './timing';

export interface GroupSettings {
  /** Group name: members of other groups are ignored. */
  group: string;
  /** Shared secret that signs every message. */
  key: string;
  /** A, the circuit limit. */
  limit: number;
  /** How many chargers share the circuit (all of them, running or not). */
  size: number;
  /** A, the least a pilot may offer. */
  min: number;
  /** ms per rotation turn. */
  rotationMs: number;
}

export interface GroupMemberOptions {
  id: string;
  /** Random per boot: tells a restart from a replayed message. */
  boot: string;
  now(): number;
  timing?: GroupTiming;
  settings(): GroupSettings;
  /** A the EV here would take now (0 when none is plugged in or it does not want charge). */
  want(): number;
  /** A offered now. */
  offer(): number;
  /** The ceiling changed. */
  onCeiling?(amps: number): void;
}

export interface PeerState {
  id: string;
  boot: string;
  seq: number;
  heardAt: number;
  message: GroupMessage;
}

export class GroupMember {
  readonly timing: GroupTiming;
  readonly #o: GroupMemberOptions;
  readonly #bootAt: number;
  readonly #lease: Lease;
  readonly #ballot: Ballot;
  readonly #coordinator: Coordinator;
  readonly #peers = new Map<string, PeerState>();
  readonly #echo: Record<string, string> = {};
  #seq = 0;
  #ceiling = -1;
  #last?: GroupMessage;
  #errors = 0;
  #lastError = '';

  constructor(options: GroupMemberOptions) {
    this.#o = options;
    this.timing = options.timing ?? GROUP_TIMING;
    this.#bootAt = options.now();
    const fallback = () => this.fallback;
    this.#lease = new Lease({ timing: this.timing, bootAt: this.#bootAt, fallback });
    this.#ballot = new Ballot(this.timing, this.#bootAt);
    const s = () => options.settings();
    this.#coordinator = new Coordinator({
      timing: this.timing,
      id: options.id,
      boot: options.boot,
      bootAt: this.#bootAt,
      limit: () => s().limit,
      size: () => s().size,
      min: () => s().min,
      fallback,
      rotationMs: () => s().rotationMs,
    });
  }

  get id(): string {
    return this.#o.id;
  }

  /** A, the share this member may take when it sees no one. */
  get fallback(): number {
    const s = this.#o.settings();
    return fallbackShare(s.limit, s.size, s.min);
  }

  /** A, the most this member may offer now without a grant: its fallback share, 0 in its boot quarantine. */
  ceilingWithoutGrant(): number {
    return this.#lease.fallback(this.#o.now());
  }

  /** A, the most this member may offer now. */
  ceiling(): number {
    return this.#lease.ceiling(this.#o.now());
  }

  get vote(): string | null {
    return this.#ballot.vote;
  }

  get coordinating(): boolean {
    return this.#coordinator.leading;
  }

  get lastMessage(): GroupMessage | undefined {
    return this.#last;
  }

  get errors(): { count: number; last: string } {
    return { count: this.#errors, last: this.#lastError };
  }

  peers(): PeerState[] {
    return [...this.#peers.values()];
  }

  fresh(p: PeerState): boolean {
    return this.#o.now() - p.heardAt <= this.timing.freshMs;
  }

  /** A message read from a peer's stream. Returns why it was refused, or undefined. */
  receive(doc: unknown): string | undefined {
    const now = this.#o.now();
    const s = this.#o.settings();
    const m = parseMessage(doc);
    const refuse = (why: string) => {
      this.#errors++;
      this.#lastError = why;
      return why;
    };
    if (typeof m === 'string') return refuse(m);
    if (!verify(m, s.key)) return refuse(`bad signature from ${m.id}`);
    if (m.id === this.#o.id) return undefined;
    if (m.group !== s.group || m.limit !== s.limit || m.size !== s.size) return refuse(`${m.id} is configured for another group or limit`);
    const old = this.#peers.get(m.id);
    if (old && old.boot === m.boot && m.seq <= old.seq) return refuse(`old or replayed message from ${m.id}`);
    this.#peers.set(m.id, { id: m.id, boot: m.boot, seq: m.seq, heardAt: now, message: m });
    this.#coordinator.observe(m.id, m.boot, m.vote, echoParts(m.echo[this.#o.id]));
    let accept = true;
    const g = m.grants?.[this.#o.id];
    if (m.id === this.#ballot.vote && g && g.b === this.#o.boot) accept = this.#lease.grant(g.g, g.q, now);
    if (accept) this.#echo[m.id] = `${m.boot}:${m.seq}`;
    this.tick();
    return undefined;
  }

  /** Builds, signs and returns this member's next message (and applies its own grant). */
  publish(): GroupMessage {
    const now = this.#o.now();
    const s = this.#o.settings();
    const me = this.#o.id;
    const seq = ++this.#seq;
    this.#lease.sent(seq, now);
    const inSight = [...this.#peers.values()].filter((p) => this.fresh(p));
    const lowest = inSight.reduce((a, p) => (p.id < a ? p.id : a), me);
    const vote = this.#ballot.cast(lowest, now);
    const known = new Map<string, string | undefined>([[me, this.#o.boot]]);
    for (const p of this.#peers.values()) known.set(p.id, p.boot);
    const candidates: Candidate[] = inSight.filter((p) => p.message.vote === me).map((p) => ({ id: p.id, boot: p.boot, want: p.message.want, seq: p.seq }));
    if (vote === me) candidates.push({ id: me, boot: this.#o.boot, want: this.#o.want(), seq });
    const grants = this.#coordinator.grants(now, seq, vote === me, known, candidates);
    const own = grants?.[me];
    if (own && vote === me && this.#lease.grant(own.g, seq, now)) this.#coordinator.observe(me, this.#o.boot, vote, { boot: this.#o.boot, seq });
    const msg: GroupMessage = {
      v: 1,
      group: s.group,
      id: me,
      boot: this.#o.boot,
      seq,
      limit: s.limit,
      size: s.size,
      want: this.#o.want(),
      ceiling: this.#lease.ceiling(now),
      offer: this.#o.offer(),
      vote,
      echo: { ...this.#echo },
      ...(grants ? { grants } : {}),
    };
    this.#last = sign(msg, s.key);
    this.tick();
    return this.#last;
  }

  /** Re-reads the ceiling (leases end with time); tells the host when it changed. */
  tick(): void {
    const c = this.#lease.ceiling(this.#o.now());
    if (c === this.#ceiling) return;
    this.#ceiling = c;
    this.#o.onCeiling?.(c);
  }
}

// What a load-sharing member publishes (as the `group` field of its status,
// so peers read it on its /ws stream), and how it is signed: HMAC-SHA256 with
// the group key over a canonical text of every other field. A peer without
// the key can read but not forge; a replayed message is refused by its
// sequence number (the boot id tells a restart from a replay).

import { hex, hmacSha256, sameText, utf8 } from './sha256';

export interface Grant {
  /** A the member may offer. */
  g: number;
  /** The member's boot id and the sequence number of its message this grant answers. */
  b: string;
  q: number;
}

export interface GroupMessage {
  v: 1;
  group: string;
  id: string;
  boot: string;
  seq: number;
  /** The circuit limit (A) and the number of members it is wired for: members must agree. */
  limit: number;
  size: number;
  /** A the EV here would take now (0: no EV or it does not want charge). */
  want: number;
  /** A this member may offer now, and what it offers. */
  ceiling: number;
  offer: number;
  vote: string | null;
  /** Per peer, "boot:seq" of its last message this member accepted. */
  echo: Record<string, string>;
  /** Only from a coordinator: grants per member id. */
  grants?: Record<string, Grant>;
  mac?: string;
}

function sorted<T>(o: Record<string, T>): [string, T][] {
  return Object.keys(o)
    .sort()
    .map((k) => [k, o[k]] as [string, T]);
}

/** The signed text: fixed field order, map keys sorted. */
export function canonical(m: GroupMessage): string {
  return JSON.stringify([
    m.v, m.group, m.id, m.boot, m.seq, m.limit, m.size, m.want, m.ceiling, m.offer, m.vote,
    sorted(m.echo),
    m.grants ? sorted(m.grants).map(([k, g]) => [k, g.g, g.b, g.q]) : null,
  ]);
}

export function sign(m: GroupMessage, key: string): GroupMessage {
  return { ...m, mac: hex(hmacSha256(utf8(key), utf8(canonical(m)))) };
}

export function verify(m: GroupMessage, key: string): boolean {
  return typeof m.mac === 'string' && sameText(m.mac, hex(hmacSha256(utf8(key), utf8(canonical(m)))));
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;

/** A message as read off a peer's stream, checked field by field; a string says what is wrong. */
export function parseMessage(doc: unknown): GroupMessage | string {
  if (typeof doc !== 'object' || doc === null) return 'not an object';
  const d = doc as Record<string, unknown>;
  if (d.v !== 1) return 'unknown version';
  for (const k of ['group', 'id', 'boot'] as const) if (!isStr(d[k])) return `${k} must be a string`;
  for (const k of ['seq', 'limit', 'size', 'want', 'ceiling', 'offer'] as const) if (!isNum(d[k]) || (d[k] as number) < 0) return `${k} must be a number ≥ 0`;
  if (d.vote !== null && !isStr(d.vote)) return 'vote must be an id or null';
  if (typeof d.echo !== 'object' || d.echo === null) return 'echo must be an object';
  for (const v of Object.values(d.echo)) if (typeof v !== 'string') return 'echo values must be strings';
  if (d.grants !== undefined) {
    if (typeof d.grants !== 'object' || d.grants === null) return 'grants must be an object';
    for (const g of Object.values(d.grants as Record<string, unknown>)) {
      const gg = g as Record<string, unknown>;
      if (typeof g !== 'object' || g === null || !isNum(gg.g) || gg.g < 0 || !isStr(gg.b) || !isNum(gg.q)) return 'bad grant';
    }
  }
  if (typeof d.mac !== 'string') return 'unsigned';
  return d as unknown as GroupMessage;
}

/** "boot:seq" → its parts. */
export function echoParts(e: string | undefined): { boot: string; seq: number } | undefined {
  if (!e) return undefined;
  const i = e.lastIndexOf(':');
  const seq = Number(e.slice(i + 1));
  return i > 0 && Number.isInteger(seq) ? { boot: e.slice(0, i), seq } : undefined;
}

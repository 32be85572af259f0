// Load-sharing peers found over real multicast DNS: `npm start` chargers
// with `group_mdns` on and no `group_members` announce `_openevse._tcp`
// (hosts/node/mdns.ts, bonjour-service) and browse for it
// (hosts/node/service-discovery.ts) on this machine's interfaces. Two members
// must find each other and form their group by that path alone; a third
// charger that announces `_openevse._tcp` and publishes group messages of the
// same group name under another key is found (a link) but never admitted.
// Chargers of other tests on this machine may announce themselves too: the
// group name is unique to this run, and the checks name our chargers only.
//
// HTTP listens on 0.0.0.0: the announcement carries the interface's address,
// which a charger bound to 127.0.0.1 (the CLI's default) does not answer on.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliProcess } from '../e2e/processes';

interface Charger {
  name: string;
  proc: CliProcess;
  url: string;
  port: number;
}

const running: CliProcess[] = [];
const tag = `${process.pid.toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const GROUP = `mdns-${tag}`;

async function start(name: string): Promise<Charger> {
  const dir = mkdtempSync(join(tmpdir(), `mdns-${name}-`));
  const proc = runCli(['--http-port', '0', '--http-host', '0.0.0.0', '--no-mqtt', '--state-dir', dir]);
  running.push(proc);
  const port = Number((await proc.waitFor(/dashboard\s+http:\/\/[^:/]+:(\d+)\//, 30000))[1]);
  await proc.waitFor(/mdns: advertising/, 10000);
  return { name, proc, url: `http://127.0.0.1:${port}`, port };
}

async function configure(c: Charger, key: string): Promise<void> {
  const r = await fetch(`${c.url}/config`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ hostname: c.name, group_enabled: true, group_name: GROUP, group_key: key, group_limit: 20, group_size: 2, group_members: '', group_mdns: true }),
  });
  expect(r.status).toBe(200);
}

interface GroupDoc {
  coordinating: boolean;
  errors: number;
  links: { address: string; up: boolean; received: number }[];
  peers: { id: string; fresh: boolean }[];
}

const group = async (c: Charger): Promise<GroupDoc> => (await fetch(`${c.url}/group`)).json() as Promise<GroupDoc>;

async function until(what: string, f: () => Promise<boolean>, ms = 60000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not within ${ms} ms: ${what}`);
}

afterAll(async () => {
  await Promise.all(running.map((p) => p.interrupt()));
});

describe('load-sharing peers found over multicast DNS (group_mdns)', () => {
  it('two members find each other by `_openevse._tcp` alone and form their group; a charger announcing the service under another key is linked but never admitted', async () => {
    const [a, b, x] = await Promise.all([start(`mdns-a-${tag}`), start(`mdns-b-${tag}`), start(`mdns-x-${tag}`)]);
    await configure(a, 'the key a and b share');
    await configure(b, 'the key a and b share');
    await configure(x, 'not the members\' key');
    const linkTo = (d: GroupDoc, c: Charger) => d.links.find((l) => l.address.endsWith(`:${c.port}`));
    // Found: each member reads the others' /ws at the address mDNS gave (no group_members).
    await until('a and b found each other and x over mDNS', async () => {
      const [da, db] = await Promise.all([group(a), group(b)]);
      return [linkTo(da, b), linkTo(da, x), linkTo(db, a), linkTo(db, x)].every((l) => l?.up && l.received > 0);
    });
    // Admitted: the two form their group (one coordinates, each sees the other fresh); x is refused.
    await until('a and b form their group', async () => {
      const [da, db] = await Promise.all([group(a), group(b)]);
      const fresh = (d: GroupDoc, c: Charger) => d.peers.some((p) => p.id === c.name && p.fresh);
      return fresh(da, b) && fresh(db, a) && da.coordinating !== db.coordinating;
    });
    const [da, db, dx] = await Promise.all([group(a), group(b), group(x)]);
    for (const d of [da, db]) {
      expect(d.peers.map((p) => p.id)).not.toContain(x.name);
      // x's messages were read and refused (its signature does not verify under the members' key).
      expect(d.errors).toBeGreaterThan(0);
    }
    expect(linkTo(da, b)!.address).not.toMatch(/^127\./);
    expect(dx.peers.map((p) => p.id)).toEqual([]);
    expect(dx.coordinating).toBe(false);
  }, 120000);
});

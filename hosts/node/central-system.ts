// A schema-validating OCPP 1.6J central system for the tests and the fleet
// tool, built on ocpp-rpc in strict mode: every CALL and CALLRESULT in both
// directions is checked against the official OCPP 1.6 JSON schemas that
// ocpp-rpc ships, and every failure is recorded (`failures`), so a test that
// asserts none were seen fails on the first malformed message either side sent.
// It answers the charge point's requests like a plain back office (boot
// Accepted, every id tag Accepted unless listed, transaction ids from 1) and
// keeps a log of what it saw, per charge point, for the tests to read.

import { RPCServer, createRPCError } from 'ocpp-rpc';
import type { Server } from 'node:http';

export interface CentralSystemOptions {
  /** TCP port (0: a free one). */
  port?: number;
  host?: string;
  /** What BootNotification answers (default Accepted, interval 300 s). */
  boot?: (identity: string) => { status: 'Accepted' | 'Pending' | 'Rejected'; interval: number };
  /** Password every charge point must present (security profile 1); undefined accepts any. */
  password?: string;
  /** Id tag → status; unlisted tags are Accepted. */
  tags?: Record<string, 'Accepted' | 'Blocked' | 'Expired' | 'Invalid'>;
  /** Keep every message (tests) or only counts (the fleet at scale). */
  record?: boolean;
  /** First transaction id handed out. */
  firstTransactionId?: number;
  /** Called for every CALL a charge point makes (counts without keeping a log). */
  onCall?: (action: string, identity: string) => void;
}

export interface LogEntry {
  identity: string;
  /** Who sent the CALL. */
  from: 'cp' | 'csms';
  action: string;
  params: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: string;
  at: number;
}

type Client = {
  identity: string;
  handle(method: string, fn: (r: { params: Record<string, unknown> }) => unknown): void;
  handle(fn: (r: { method: string; params: Record<string, unknown> }) => unknown): void;
  call(method: string, params: unknown, options?: { callTimeoutMs?: number }): Promise<Record<string, unknown>>;
  on(event: string, fn: (e: never) => void): void;
  close(options?: { force?: boolean }): Promise<unknown>;
};

export class CentralSystem {
  readonly log: LogEntry[] = [];
  readonly failures: { identity: string; method: string; outbound: boolean; isCall: boolean; error: string }[] = [];
  readonly clients = new Map<string, Client>();
  /** Messages (CALL, CALLRESULT, CALLERROR frames) in and out, for rates. */
  readonly frames = { in: 0, out: 0 };
  /** Rejected connections (bad password, bad subprotocol). */
  readonly refused: string[] = [];
  readonly #options: CentralSystemOptions;
  readonly #rpc: InstanceType<typeof RPCServer>;
  #http?: Server;
  #nextTx: number;
  readonly #waiters = new Set<() => void>();
  url = '';
  port = 0;

  private constructor(options: CentralSystemOptions) {
    this.#options = options;
    this.#nextTx = options.firstTransactionId ?? 1;
    this.#rpc = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true, callTimeoutMs: 10000, pingIntervalMs: 0 } as never);
    this.#rpc.auth((accept, reject, handshake) => {
      const want = options.password;
      if (want !== undefined && handshake.password?.toString() !== want) {
        this.refused.push(handshake.identity);
        reject(401, 'bad authorization key');
        for (const w of [...this.#waiters]) w();
        return;
      }
      accept();
    });
    this.#rpc.on('client', (client: Client) => this.#attach(client));
  }

  static async start(options: CentralSystemOptions = {}): Promise<CentralSystem> {
    const cs = new CentralSystem(options);
    cs.#http = (await cs.#rpc.listen(options.port ?? 0, options.host ?? '127.0.0.1')) as Server;
    const address = cs.#http.address();
    cs.port = typeof address === 'object' && address ? address.port : 0;
    cs.url = `ws://${options.host ?? '127.0.0.1'}:${cs.port}/ocpp`;
    return cs;
  }

  #record(e: Omit<LogEntry, 'at'>): void {
    if (this.#options.record === false) return;
    this.log.push({ ...e, at: Date.now() });
    for (const w of [...this.#waiters]) w();
  }

  #attach(client: Client): void {
    const id = client.identity;
    this.clients.set(id, client);
    client.on('message', (e: { outbound: boolean }) => {
      if (e.outbound) this.frames.out++;
      else this.frames.in++;
    });
    client.on('strictValidationFailure', (e: { method: string; outbound: boolean; isCall: boolean; error: Error }) => {
      this.failures.push({ identity: id, method: e.method, outbound: e.outbound, isCall: e.isCall, error: e.error.message });
    });
    client.on('close', () => {
      if (this.clients.get(id) === client) this.clients.delete(id);
      for (const w of [...this.#waiters]) w();
    });
    const o = this.#options;
    const status = (idTag: unknown): string => o.tags?.[idTag as string] ?? 'Accepted';
    const answers: Record<string, (p: Record<string, unknown>) => Record<string, unknown>> = {
      BootNotification: () => ({ ...(o.boot?.(id) ?? { status: 'Accepted', interval: 300 }), currentTime: new Date().toISOString() }),
      Heartbeat: () => ({ currentTime: new Date().toISOString() }),
      StatusNotification: () => ({}),
      MeterValues: () => ({}),
      Authorize: (p) => ({ idTagInfo: { status: status(p.idTag) } }),
      StartTransaction: (p) => ({ transactionId: this.#nextTx++, idTagInfo: { status: status(p.idTag) } }),
      StopTransaction: (p) => (p.idTag === undefined ? {} : { idTagInfo: { status: status(p.idTag) } }),
      DataTransfer: () => ({ status: 'Accepted', data: 'pong' }),
    };
    client.handle(({ method, params }) => {
      o.onCall?.(method, id);
      const answer = answers[method];
      if (!answer) {
        this.#record({ identity: id, from: 'cp', action: method, params, error: 'NotImplemented' });
        throw createRPCError('NotImplemented');
      }
      const result = answer(params);
      this.#record({ identity: id, from: 'cp', action: method, params, result });
      return result;
    });
    for (const w of [...this.#waiters]) w();
  }

  /** A CALL to a charge point; resolves with its answer (an error is recorded and rethrown). */
  async call(identity: string, action: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const client = this.clients.get(identity);
    if (!client) throw new Error(`${identity} is not connected`);
    try {
      const result = await client.call(action, params);
      this.#record({ identity, from: 'csms', action, params, result });
      return result;
    } catch (e) {
      const error = e instanceof Error ? `${(e as { rpcErrorCode?: string }).rpcErrorCode ?? e.name}: ${e.message}` : String(e);
      this.#record({ identity, from: 'csms', action, params, error });
      throw e;
    }
  }

  /** Messages the charge point `identity` sent, of `action`. */
  sent(identity: string, action?: string): LogEntry[] {
    return this.log.filter((e) => e.identity === identity && e.from === 'cp' && (action === undefined || e.action === action));
  }

  /** Resolves when `test` holds, checked after every message and connection change. */
  waitFor<T>(test: () => T | undefined | false, timeoutMs = 10000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const v = test();
        if (v) {
          this.#waiters.delete(check);
          clearTimeout(timer);
          clearInterval(poll);
          resolve(v);
        }
      };
      // Also polled, for conditions on the charger's side that no message announces.
      const poll = setInterval(check, 20);
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.#waiters.delete(check);
        reject(new Error(`central system: timed out waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    await this.#rpc.close({ force: true } as never);
  }
}

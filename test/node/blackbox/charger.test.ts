// One black-box suite, every host: what a user, Home Assistant or evcc sees
// of a standalone charger over HTTP and MQTT, checked the same way against
// `npm start` and against the Moddable firmware in the real simulator. Only
// the outside is used: HTTP requests, a real mosquitto, mosquitto_pub.

import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { moddableHost, nodeHost, type ChargerHost } from './hosts';
import { chargerFromOutside, mosquittoPub, until } from './outside';
import { floodWithoutReading, openWs, type WsClient } from './ws-client';
import { endings, handshakeAndGo, handshakeEndings, placeWithin, refusedAsOneTooMany } from './ws-endings';

/**
 * How soon a `/ws` place must be free again after its client went, however it went, ms: the
 * charger sees a socket go at its next poll (20 ms on the simulator); the rest is this machine's
 * load. The simulator once kept places until its ping timeout, 15–30 s (docs/moddable.md).
 */
const PLACE_MS = 2_500;

/** A raw GET: fetch() would add its own Accept-Encoding and inflate the body. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const hosts: ChargerHost[] = [nodeHost, moddableHost()];

for (const host of hosts) {
  const why = host.unavailable();
  describe.skipIf(why !== undefined)(`standalone charger from outside: ${host.name}`, () => {
    const outside = chargerFromOutside(host, { name: 'blackbox', ready: { rapi_connected: 'the gateway sees the controller' }, readyMs: 20_000 });
    const { get, json, send, seen } = outside;

    it('GET /status answers the OpenEVSE status document as JSON', async () => {
      const r = await get('/status');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      const s = (await r.json()) as Record<string, any>;
      expect(s.rapi_connected).toBe(1);
      for (const field of ['state', 'pilot', 'amp', 'voltage', 'mqtt_connected', 'uptime']) expect(typeof s[field]).toBe('number');
    });

    it('GET /config names the controller firmware and a 12-hex-digit identity', async () => {
      const c = await json('/config');
      expect(c.firmware).toMatch(/^\d+\.\d+\.\d+$/);
      expect(c.wifi_serial).toMatch(/^[0-9a-f]{12}$/);
      expect(c.mqtt_topic).toBe(outside.topic);
    });

    it('/r passes a RAPI command to the controller and returns its reply', async () => {
      const r = await json('/r?json=1&rapi=' + encodeURIComponent('$GV'));
      expect(r.cmd).toBe('$GV');
      expect(r.ret).toMatch(/^\$OK \d+\.\d+\.\d+ \d+\.\d+\.\d+/);
    });

    it('/sim/* plugs and unplugs the simulated EV, and /status follows', async () => {
      expect((await send('POST', '/sim/unplug')).status).toBe(200);
      await until(async () => (await json('/status')).state === 1, 10_000, 'state A (1) after unplugging');
      const plugged = await send('POST', '/sim/ev', { plugged: true, charge: true });
      expect(plugged.status).toBe(200);
      expect(((await plugged.json()) as any).ev.plugged).toBe(true);
      await until(async () => (await json('/status')).state === 3, 10_000, 'state C (3) with the EV asking for charge');
      expect((await send('POST', '/sim/fault/nonsense')).status).toBe(404);
    });

    it('/override disables the charger and DELETE gives it back', async () => {
      const set = await send('POST', '/override', { state: 'disabled' });
      expect(set.status).toBe(201);
      await until(async () => (await json('/status')).state === 254, 10_000, 'state 254 (disabled) under the override');
      expect((await json('/override')).state).toBe('disabled');
      expect((await send('DELETE', '/override')).status).toBe(200);
      await until(async () => (await json('/status')).state !== 254, 10_000, 'leaving state 254');
      expect(await json('/override')).toEqual({});
    });

    it('refuses bad input with a clear error and changes nothing', async () => {
      const before = await json('/config');
      const r = await send('POST', '/config', { max_current_soft: 'lots' });
      expect(r.status).toBe(400);
      expect(JSON.stringify(await r.json())).toMatch(/max_current_soft/);
      expect((await json('/config')).max_current_soft).toBe(before.max_current_soft);
    });

    it('serves the dashboard gzip-compressed to a client that accepts gzip', async () => {
      const r = await rawGet(outside.charger.url + '/', { 'Accept-Encoding': 'gzip, deflate' });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['content-encoding']).toBe('gzip');
      const html = gunzipSync(r.body).toString('utf8');
      expect(html).toContain('<title>EVSE</title>');
    });

    it('serves the dashboard uncompressed to a client that does not accept gzip', async () => {
      for (const headers of [{}, { 'Accept-Encoding': 'identity' }, { 'Accept-Encoding': 'gzip;q=0, br' }] as Record<string, string>[]) {
        const r = await rawGet(outside.charger.url + '/', headers);
        expect(r.status).toBe(200);
        expect(r.headers['content-encoding']).toBeUndefined();
        expect(r.headers.vary).toMatch(/Accept-Encoding/i);
        expect(r.body.toString('utf8')).toContain('<title>EVSE</title>');
      }
    });

    describe('/ws', { timeout: 180_000 }, () => {
      const open: WsClient[] = [];
      /**
       * A client that has its first message; one refused as one too many (1013) tries again, as it is
       * told to, for up to PLACE_MS: a place is free once the charger has seen the previous client's
       * socket go, which it does at its next poll of the socket (20 ms on the simulator).
       */
      const connect = async (headers?: Record<string, string>) => {
        for (const end = Date.now() + PLACE_MS; ; ) {
          const c = await openWs(outside.charger.url, headers);
          const first = await Promise.race([c.next(() => true, 10_000, 'the first message').then(() => undefined), c.closed]);
          if (!first) {
            open.push(c);
            return c;
          }
          // The charger counts a client until it sees the socket go, which can take it a moment.
          if (first.code !== 1013 || Date.now() > end) throw new Error(`/ws closed before its first message: ${first.code} ${first.reason}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      // Each test starts with the charger's four places free: a client's close is
      // over when the charger has answered it, and by then it has let the place go.
      afterEach(async () => {
        await Promise.all(
          open.splice(0).map((c) => {
            c.close();
            return c.closed;
          }),
        );
      });

      it('sends the full status document on connect', async () => {
        const c = await connect();
        const first = (await c.next(() => true, 5_000, 'the first message')).doc;
        const status = await json('/status');
        for (const field of ['state', 'pilot', 'amp', 'voltage', 'rapi_connected', 'config_version', 'claims_version', 'override_version']) {
          expect(typeof first[field], field).toBe(typeof status[field]);
        }
        expect(first.rapi_connected).toBe(1);
        expect(first.state).toBe(status.state);
      });

      it('pushes the state change of /sim/unplug and /sim/plug as fragments', async () => {
        const c = await connect();
        await c.next(() => true, 5_000, 'the first message');
        let from = c.got.length;
        expect((await send('POST', '/sim/unplug')).status).toBe(200);
        await c.next((d) => d.state === 1, 10_000, 'state 1 after /sim/unplug', from);
        from = c.got.length;
        expect((await send('POST', '/sim/ev', { plugged: true, charge: true })).status).toBe(200);
        const plugged = await c.next((d) => d.state === 2 || d.state === 3, 10_000, 'state 2 or 3 after plugging', from);
        // A fragment, not the document again.
        expect(Object.keys(plugged.doc).length).toBeLessThan(20);
        expect(plugged.doc).not.toHaveProperty('uptime');
      });

      it('serves 4 clients at once, each getting the document and the same change', async () => {
        const clients = [await connect(), await connect(), await connect(), await connect()];
        for (const c of clients) await c.next((d) => 'state' in d && 'config_version' in d, 5_000, 'the document');
        const version = (await json('/config')).config_version as number;
        const marks = clients.map((c) => c.got.length);
        const brightness = 100 + (version % 50);
        expect((await send('POST', '/config', { led_brightness: brightness })).status).toBe(200);
        for (const [i, c] of clients.entries()) await c.next((d) => (d.config_version as number) > version, 5_000, `config_version on client ${i + 1}`, marks[i]);
      });

      it('drops a client that does not read what it asked for, and the others keep getting changes', async () => {
        const good = await connect();
        const slow = await connect();
        await good.next(() => true, 5_000, 'the first message');
        await slow.next(() => true, 5_000, 'the first message');
        const pings = await floodWithoutReading(slow, 3_000_000);
        expect(pings).toBeGreaterThan(0);
        const version = (await json('/config')).config_version as number;
        const from = good.got.length;
        expect((await send('POST', '/config', { led_brightness: 40 + (version % 50) })).status).toBe(200);
        await good.next((d) => (d.config_version as number) > version, 5_000, 'config_version on the client that reads', from);
        // The dropped one does not hold a place: 3 more still fit beside the good one.
        for (let i = 0; i < 3; i++) await (await connect()).next(() => true, 5_000, `the document for client ${i + 2}`);
      }, 180_000);

      it('takes the client frames: a message whole or in fragments, a WebSocket ping, and a close it answers with the code', async () => {
        const c = await connect();
        await c.next(() => true, 5_000, 'the first message');
        let from = c.got.length;
        c.ws.send('{"ping":1}');
        await c.next((d) => d.pong === 1, 5_000, 'the pong to {"ping":1}', from);
        from = c.got.length;
        c.ws.send('{"pi', { fin: false });
        c.ws.send('ng":1}', { fin: true });
        await c.next((d) => d.pong === 1, 5_000, 'the pong to {"ping":1} in two fragments', from);
        const pong = new Promise<Buffer>((resolve) => c.ws.once('pong', resolve));
        c.ws.ping(Buffer.from('are you there'));
        expect((await pong).toString()).toBe('are you there');
        c.ws.close(4001, 'done here');
        expect((await c.closed).code).toBe(4001);
      });

      it('frees a place at once however its client goes (FIN, RST, a write to a reset peer, a close frame, during the handshake), under load, and never holds more clients than its places', async () => {
        const places = host.wsPlaces;
        const sockets = outside.charger.openSockets?.();
        // Load: the EV charging (a fragment a second to every client) and requests beside the clients.
        expect((await send('POST', '/sim/ev', { plugged: true, charge: true })).status).toBe(200);
        let loading = true;
        const load = (async () => {
          while (loading) await (await get('/status')).arrayBuffer();
        })();
        try {
          // Every place taken again, all clients at once, each within PLACE_MS of the ending.
          const fill = async (since: number, what: string) => {
            const all = await Promise.allSettled(Array.from({ length: places }, () => placeWithin(outside.charger.url, since, PLACE_MS)));
            const got = all.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
            open.push(...got);
            const failed = all.find((r) => r.status === 'rejected');
            if (failed) throw new Error(`after ${what}, ${got.length} of ${places} places: ${(failed.reason as Error).message}`);
            return got;
          };
          let clients = await fill(Date.now(), 'the start');
          const stream = Object.entries(endings);
          const handshake = Object.entries(handshakeEndings);
          for (let round = 0; round < 2 * stream.length; round++) {
            await refusedAsOneTooMany(outside.charger.url);
            const [how, end] = stream[round % stream.length];
            const [during, go] = handshake[round % handshake.length];
            for (const c of clients) end(c);
            const since = Date.now();
            // While the places are free, a connection that goes during its handshake must not take one for good.
            await handshakeAndGo(outside.charger.url, go);
            clients = await fill(since, `${how}, and ${during}`);
          }
          await refusedAsOneTooMany(outside.charger.url);
        } finally {
          loading = false;
          await load;
        }
        // Nothing of the storm stays open inside (a connection whose write failed held its socket for good).
        if (sockets !== undefined) {
          await Promise.all(open.splice(0).map((c) => (c.close(), c.closed)));
          await until(() => outside.charger.openSockets!()! <= sockets, 5_000, `the firmware's open sockets back to ${sockets}, the count before the storm (${outside.charger.openSockets!()} now)`);
        }
      }, 180_000);

      it('asks for the credentials HTTP asks for, at the handshake', async () => {
        const auth = { Authorization: 'Basic ' + Buffer.from('admin:s3cret-ws').toString('base64') };
        expect((await send('POST', '/config', { www_username: 'admin', www_password: 's3cret-ws' })).status).toBe(200);
        try {
          await expect(openWs(outside.charger.url)).rejects.toMatchObject({ status: 401 });
          await expect(openWs(outside.charger.url, { Authorization: 'Basic ' + Buffer.from('admin:wrong').toString('base64') })).rejects.toMatchObject({ status: 401 });
          const c = await connect(auth);
          expect((await c.next(() => true, 5_000, 'the document with credentials')).doc).toHaveProperty('state');
        } finally {
          const r = await fetch(outside.charger.url + '/config', { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth }, body: JSON.stringify({ www_password: '' }) });
          expect(r.status).toBe(200);
        }
        expect((await get('/status')).status).toBe(200);
      });
    });

    it('publishes the status fields to MQTT', async () => {
      await until(() => seen.some((m) => m.topic === `${outside.topic}/state`), 35_000, `a message on ${outside.topic}/state`);
      const states = seen.filter((m) => m.topic === `${outside.topic}/state`);
      expect(states.at(-1)!.payload).toMatch(/^\d+$/);
    });

    it('answers an empty-payload RAPI command (mosquitto_pub -n) within 1 s, and the next one too', async () => {
      await until(() => seen.some((m) => m.topic === `${outside.topic}/state`), 35_000, 'MQTT connected');
      for (const [command, payload, reply] of [
        ['$GV', undefined, /^\$OK \d+\.\d+\.\d+ \d+\.\d+\.\d+/],
        ['$GS', undefined, /^\$OK \d+ \d+/],
        ['$SC', '16 V', /^\$OK/],
      ] as const) {
        const from = seen.length;
        // Timed from when mosquitto_pub is done (the message is with the broker), not from
        // starting the process, which a busy machine can take long over.
        await mosquittoPub(outside.broker.port, `${outside.topic}/rapi/in/${command}`, payload);
        const published = Date.now();
        const answer = await until(() => seen.slice(from).find((m) => m.topic === `${outside.topic}/rapi/out`), 1_000, `a reply to ${command} on rapi/out within 1 s`);
        expect(answer.payload).toMatch(reply);
        expect(answer.at - published).toBeLessThan(1_000);
      }
    });

    it('reaches a broker given by host name, resolved by the network (this machine\'s name)', async () => {
      const r = await send('POST', '/config', { mqtt_server: outside.broker.hostname });
      expect(r.status).toBe(200);
      const from = seen.length;
      // a new connection announces itself again, then publishes
      await until(async () => (await json('/status')).mqtt_connected === 1 && seen.slice(from).some((m) => m.topic === `${outside.topic}/state`), 20_000, `MQTT through ${outside.broker.hostname}`);
      expect((await json('/config')).mqtt_server).toBe(outside.broker.hostname);
    });
  });
}

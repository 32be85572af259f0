// mDNS / DNS-SD from `npm start` (startCharger), found by a real browser of
// the bonjour-service package over multicast: `_openevse._tcp` with
// OpenEVSE's TXT records and `_http._tcp`, both on the HTTP port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bonjour, type Service } from 'bonjour-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCharger, type RunningCharger } from '../../../hosts/node/cli';
import { advertisements } from '../../../modules/gateway/mdns';

let charger: RunningCharger;
let dir: string;
let bonjour: Bonjour;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'evse-mdns-'));
  charger = await startCharger({ role: 'standalone', httpPort: 0, httpHost: '127.0.0.1', mqtt: { kind: 'none' }, stateDir: dir, baud: 115200, quiet: true, mdns: true });
  bonjour = new Bonjour();
});

afterAll(async () => {
  bonjour?.destroy();
  await charger?.close();
  rmSync(dir, { recursive: true, force: true });
});

function find(type: string, name: string): Promise<Service> {
  return new Promise((resolve) => {
    const browser = bonjour.find({ type }, (s: Service) => {
      if (s.name !== name) return;
      browser.stop();
      resolve(s);
    });
  });
}

describe('mDNS', () => {
  it('the advertisement is OpenEVSE’s: http and openevse over tcp, TXT type, version, id', () => {
    expect(advertisements({ hostname: 'openevse-1234', port: 80, buildenv: 'evse-xs', version: '5.1.0', id: 'a1b2c3d4e5f6' })).toEqual([
      { type: 'http', protocol: 'tcp', name: 'openevse-1234', port: 80, txt: {} },
      { type: 'openevse', protocol: 'tcp', name: 'openevse-1234', port: 80, txt: { type: 'evse-xs', version: '5.1.0', id: 'a1b2c3d4e5f6' } },
    ]);
  });

  it('npm start advertises _openevse._tcp with its TXT records and _http._tcp, on the HTTP port', async () => {
    const gw = charger.gateway!;
    const hostname = gw.config.get('hostname');
    const openevse = await find('openevse', hostname);
    expect(openevse.port).toBe(charger.http.port);
    expect(openevse.txt).toEqual({ type: 'evse-xs-node-standalone', version: '5.1.0', id: gw.id });
    const http = await find('http', hostname);
    expect(http.port).toBe(charger.http.port);
  }, 20000);

  it('a new hostname is advertised under its new name', async () => {
    expect((await fetch(charger.http.url + '/config', { method: 'POST', body: JSON.stringify({ hostname: 'garage-evse-test' }) })).status).toBe(200);
    const s = await find('openevse', 'garage-evse-test');
    expect(s.port).toBe(charger.http.port);
  }, 20000);
});

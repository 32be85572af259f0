// The dashboard in headless Chromium against the whole charger (simulated
// controller and EV, gateway, HTTP server, all as `npm start` wires them):
// plug in, watch it charge, change the current and see the pilot follow,
// inject a fault and recover, pause and resume, save settings, live updates
// over /ws with no polling. Leaves a
// screenshot in test-results/dashboard.png.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCharger, type RunningCharger } from '../../../hosts/node/cli';
import { CHROMIUM, haveChromium, launchChromium } from './browser';

let charger: RunningCharger;
let browser: Browser;
let page: Page;
let stateDir: string;
/** Requests the page has open right now, and the most it ever had. */
const inFlight = { now: 0, max: 0 };
const statusRequests: number[] = [];
/** The page's WebSockets and the frames they received. */
const wsUrls: string[] = [];
const wsFrames: string[] = [];

async function stateIs(text: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction((t) => document.getElementById('state')?.textContent === t, text, { timeout });
}

async function textOf(id: string): Promise<string> {
  return (await page.textContent(`#${id}`)) ?? '';
}

beforeAll(async () => {
  if (!haveChromium()) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  stateDir = mkdtempSync(join(tmpdir(), 'evse-e2e-'));
  charger = await startCharger({
    role: 'standalone',
    httpPort: 0,
    httpHost: '127.0.0.1',
    mqtt: { kind: 'none' },
    stateDir,
    baud: 115200,
    quiet: true,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1180, height: 900 } });
  // The page's own API calls (fetch), not the document or the favicon.
  const api = (r: Request) => r.resourceType() === 'fetch';
  page.on('request', (r) => {
    if (!api(r)) return;
    inFlight.now++;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    if (new URL(r.url()).pathname === '/status') statusRequests.push(Date.now());
  });
  const done = (r: Request) => {
    if (api(r)) inFlight.now--;
  };
  page.on('websocket', (ws) => {
    wsUrls.push(ws.url());
    ws.on('framereceived', (f) => wsFrames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString()));
  });
  page.on('requestfinished', done);
  page.on('requestfailed', done);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await charger?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('dashboard in Chromium', () => {
  it('loads from the gateway at / and shows a station with no EV', async () => {
    const response = await page.goto(charger.http.url + '/');
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-encoding']).toBe('gzip');
    await stateIs('Not connected');
    expect(await textOf('vehicle')).toBe('Not connected');
    expect(await textOf('amp')).toBe('0.0 A');
    // the simulation host answers /sim/status, so the panel is there
    await page.waitForSelector('#sim:not([hidden])', { timeout: 5000 });
    expect(await page.isVisible('#faults button[data-inject="gfci"]')).toBe(true);
    // the simulated station's one thermometer reads 25.0 °C ambient
    await page.waitForFunction(() => document.getElementById('temp')!.textContent === '25.0 °C', null, { timeout: 5000 });
  });

  it('plugging the EV in from the simulation panel starts a charge', async () => {
    await page.click('#plug');
    await stateIs('Charging');
    expect(await textOf('vehicle')).toBe('Connected');
    // the default EV takes the full 32 A offered: at 240 V that is 7.68 kW
    await page.waitForFunction(() => parseFloat(document.getElementById('amp')!.textContent!) > 31, null, { timeout: 10_000 });
    await page.waitForFunction(() => /kW$/.test(document.getElementById('power')!.textContent!), null, { timeout: 5000 });
    const kw = parseFloat(await textOf('power'));
    expect(kw).toBeGreaterThan(7.4);
    expect(kw).toBeLessThan(7.9);
    expect(charger.station!.mains.energized).toBe(true);
  });

  it('setting the current moves the pilot, and the EV follows', async () => {
    await page.fill('#current', '16');
    await page.click('#current-form button');
    await page.waitForFunction(() => document.getElementById('pilot')!.textContent === '16 A', null, { timeout: 10_000 });
    // J1772: 16 A is a 26.7 % duty; the controller's PWM now says so
    expect(charger.station!.controller.pilotAmps).toBe(16);
    const g = charger.station!.pilot.generator;
    expect(g.mode).toBe('pwm');
    if (g.mode === 'pwm') expect(g.duty).toBeCloseTo(26.67, 1);
    // the EV reads the duty and draws 16 A, which the ammeter reports back
    await page.waitForFunction(() => Math.abs(parseFloat(document.getElementById('amp')!.textContent!) - 16) < 0.3, null, { timeout: 10_000 });
    expect(await textOf('msg')).toContain('$OK');
  });

  it('a ground fault stops the charge; clearing it and re-plugging charges again', async () => {
    await page.click('#faults button[data-inject="gfci"]');
    await stateIs('GFCI fault');
    expect(charger.station!.mains.energized).toBe(false);
    expect(await textOf('f-gfci')).toContain('active');
    await page.click('#faults button[data-clear="gfci"]');
    await page.waitForFunction(() => document.getElementById('f-gfci')!.textContent === '—', null, { timeout: 5000 });
    await page.click('#unplug');
    await stateIs('Not connected');
    await page.click('#plug');
    await stateIs('Charging');
    expect(charger.station!.mains.energized).toBe(true);
  });

  it('over temperature faults the charge and recovers once cooled and re-plugged', async () => {
    // 75.0 °C is over OpenEVSE's 71.0 °C panic level
    await page.click('#faults button[data-inject="temperature"]');
    await page.waitForFunction(() => document.getElementById('f-temperature')!.textContent === 'active (750 0.1 °C)', null, { timeout: 5000 });
    await stateIs('Over temperature', 15_000);
    await page.click('#faults button[data-clear="temperature"]');
    await page.waitForFunction(() => document.getElementById('f-temperature')!.textContent === '—', null, { timeout: 5000 });
    await page.click('#unplug');
    await stateIs('Not connected');
    await page.click('#plug');
    await stateIs('Charging');
  }, 40_000);

  it('sleep, disable and enable from the control buttons', async () => {
    await page.click('#sleep');
    await stateIs('Sleeping');
    await page.click('#enable');
    await stateIs('Charging');
    // the front-panel button in the simulation panel does the same as Sleep / Enable
    await page.click('#sim #button');
    await stateIs('Sleeping');
    await page.click('#sim #button');
    await stateIs('Charging');
    await page.click('#disable');
    await stateIs('Disabled');
    expect(charger.station!.mains.energized).toBe(false);
    await page.click('#enable');
    await stateIs('Charging');
  }, 40_000);

  it('saves MQTT settings through POST /config and never shows a password back', async () => {
    await page.check('#mqtt-form input[name="mqtt_enabled"]');
    await page.fill('#mqtt-form input[name="mqtt_server"]', 'broker.example');
    await page.fill('#mqtt-form input[name="mqtt_port"]', '1884');
    await page.fill('#mqtt-form input[name="mqtt_topic"]', 'garage/evse');
    await page.fill('#mqtt-form input[name="mqtt_pass"]', 's3cret');
    await page.click('#mqtt-form button');
    await page.waitForFunction(() => document.getElementById('msg')!.textContent!.startsWith('Saved'), null, { timeout: 5000 });
    const config = charger.gateway!.configDoc();
    expect(config.mqtt_server).toBe('broker.example');
    expect(config.mqtt_port).toBe(1884);
    expect(config.mqtt_topic).toBe('garage/evse');
    expect(charger.gateway!.config.get('mqtt_pass')).toBe('s3cret');
    // the form is refilled from /config (after "Saved" shows; wait for it): the secret stays out of the page
    await page.waitForFunction(() => (document.querySelector('#mqtt-form input[name="mqtt_pass"]') as HTMLInputElement).value === '', null, { timeout: 5000 });
    expect(await page.inputValue('#mqtt-form input[name="mqtt_pass"]')).toBe('');
    expect(await page.content()).not.toContain('s3cret');
  });

  it('updates from /ws without polling: a change made elsewhere shows at once, with no request for /status', async () => {
    // The page holds one WebSocket to /ws and reads the status from its frames.
    expect(wsFrames.length).toBeGreaterThan(0);
    expect(new URL(wsUrls[0]).pathname).toBe('/ws');
    const from = Date.now();
    const framesBefore = wsFrames.length;
    // a change that does not come from the page: the EV stops asking for current
    const r = await fetch(charger.http.url + '/sim/ev', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"charge":false}' });
    expect(r.status).toBe(200);
    await stateIs('Connected', 5000);
    await page.waitForTimeout(2500);
    expect(statusRequests.filter((t) => t >= from).length).toBe(0);
    expect(wsFrames.length).toBeGreaterThan(framesBefore);
    expect(wsFrames.slice(framesBefore).some((f) => JSON.parse(f).state === 2)).toBe(true);
    await fetch(charger.http.url + '/sim/ev', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"charge":true}' });
    await stateIs('Charging', 5000);
    expect(statusRequests.filter((t) => t >= from).length).toBe(0);
    expect(inFlight.max).toBe(1);
  });

  it('reconnects to /ws when the connection drops, and shows the state it missed', async () => {
    const opened = wsUrls.length;
    // every session goes away (as when the gateway restarts its server)
    charger.gateway!.ws.closeAll();
    await page.waitForFunction(() => document.getElementById('conn')!.textContent!.startsWith('connection lost'), null, { timeout: 5000 });
    await fetch(charger.http.url + '/sim/ev', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"charge":false}' });
    await stateIs('Connected', 10_000);
    expect(wsUrls.length).toBe(opened + 1);
    await fetch(charger.http.url + '/sim/ev', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"charge":true}' });
    await stateIs('Charging', 5000);
  });

  it('leaves a screenshot of a charging station', async () => {
    await stateIs('Charging');
    mkdirSync('test-results', { recursive: true });
    const png = await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
    expect(png.length).toBeGreaterThan(10_000);
  });
});

describe('dashboard behind HTTP credentials', () => {
  it('saving credentials from the page locks the page and API; the right password opens them', async () => {
    await page.fill('#http-form input[name="www_username"]', 'admin');
    await page.fill('#http-form input[name="www_password"]', 'pw-123');
    const saved = page.waitForResponse((r) => new URL(r.url()).pathname === '/config' && r.request().method() === 'POST');
    await page.click('#http-form button');
    expect((await saved).status()).toBe(200);
    const anonymous = await fetch(charger.http.url + '/');
    expect(anonymous.status).toBe(401);
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: 'pw-123' } });
    try {
      const p = await context.newPage();
      expect((await p.goto(charger.http.url + '/'))?.status()).toBe(200);
      await p.waitForFunction(() => document.getElementById('state')!.textContent === 'Charging', null, { timeout: 10_000 });
    } finally {
      await context.close();
    }
  });
});

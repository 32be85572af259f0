// The dashboard's energy panel in headless Chromium against `npm start`'s
// charger: the Eco and shaper switches change what the gateway does, the
// group panel shows the member, and the chart collects points as it polls.
// Leaves a screenshot in test-results/energy.png.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCharger, type RunningCharger } from '../../../hosts/node/cli';
import { CHROMIUM, haveChromium, launchChromium } from '../e2e/browser';

let charger: RunningCharger;
let browser: Browser;
let page: Page;
let stateDir: string;
const status = async () => (await fetch(charger.http.url + '/status')).json();

beforeAll(async () => {
  if (!haveChromium()) throw new Error(`no Chromium at ${CHROMIUM}`);
  stateDir = mkdtempSync(join(tmpdir(), 'evse-energy-'));
  charger = await startCharger({ role: 'standalone', httpPort: 0, httpHost: '127.0.0.1', mqtt: { kind: 'none' }, stateDir, baud: 115200, quiet: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1180, height: 1400 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await charger?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('dashboard energy panel', () => {
  it('Eco pauses a charge until solar surplus comes; the state line says why', async () => {
    await page.goto(charger.http.url + '/');
    await page.click('#plug');
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'Charging', null, { timeout: 15_000 });
    await page.click('#eco');
    await page.waitForFunction(() => /waiting for surplus/.test(document.getElementById('divert-state')!.textContent!), null, { timeout: 10_000 });
    expect((await status()).divertmode).toBe(2);
    await page.waitForFunction(() => document.getElementById('state')!.textContent === 'Sleeping', null, { timeout: 10_000 });
    await page.click('#fast');
    await page.waitForFunction(() => /off \(fast\)/.test(document.getElementById('divert-state')!.textContent!), null, { timeout: 10_000 });
    expect((await status()).divertmode).toBe(1);
  });

  it('the shaper switch turns it on; without live power it reports the failsafe pause', async () => {
    await page.click('#shaper-on');
    await page.waitForFunction(() => /no live power: paused/.test(document.getElementById('shaper-state')!.textContent!), null, { timeout: 10_000 });
    expect((await status()).shaper).toBe(1);
    await page.click('#shaper-off');
    await page.waitForFunction(() => document.getElementById('shaper-state')!.textContent === 'off', null, { timeout: 10_000 });
  });

  it('saving the group form starts a member, shown with its limit and share; the chart has points', async () => {
    await page.fill('#group-form input[name=group_key]', 'dashboard key');
    await page.fill('#group-form input[name=group_limit]', '16');
    await page.fill('#group-form input[name=group_size]', '1');
    await page.check('#group-form input[name=group_enabled]');
    await page.click('#group-form button');
    await page.waitForFunction(() => /limit 16 A for 1 chargers/.test(document.getElementById('group-state')!.textContent!), null, { timeout: 15_000 });
    expect(await page.textContent('#group-table')).toContain('(this)');
    const cfg = await (await fetch(charger.http.url + '/config')).json();
    expect([cfg.group_enabled, cfg.group_limit, cfg.group_size]).toEqual([true, 16, 1]);
    expect(cfg.group_key).not.toBe('dashboard key');
    // The divert form: the input type is a number in /config, chosen from a list.
    await page.selectOption('#divert-form select[name=divert_type]', '1');
    await page.fill('#divert-form input[name=divert_PV_ratio]', '0.8');
    await page.click('#divert-form button');
    await page.waitForFunction(() => /Saved/.test(document.getElementById('msg')!.textContent!), null, { timeout: 10_000 });
    const after = await (await fetch(charger.http.url + '/config')).json();
    expect([after.divert_type, after.divert_PV_ratio]).toEqual([1, 0.8]);
    await page.waitForFunction(() => Number(document.getElementById('chart')!.getAttribute('data-points')) >= 3, null, { timeout: 15_000 });
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/energy.png', fullPage: true });
  });
});

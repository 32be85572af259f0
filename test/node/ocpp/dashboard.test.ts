// The dashboard in Chromium shows the OCPP connection, the transaction id and
// the active limit, as the central system changes them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expect } from '../../cases/expect';
import { startCharger, type RunningCharger } from '../../../hosts/node/cli';
import { CentralSystem } from '../../../hosts/node/central-system';
import { CHROMIUM, haveChromium, launchChromium } from '../e2e/browser';

let cs: CentralSystem;
let charger: RunningCharger;
let browser: Browser;
let page: Page;
let stateDir: string;
const ID = 'dash-1';

const ocppText = (re: string) => page.waitForFunction((r) => new RegExp(r).test(document.getElementById('ocpp')!.textContent!), re, { timeout: 10_000 });

beforeAll(async () => {
  if (!haveChromium()) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  cs = await CentralSystem.start();
  stateDir = mkdtempSync(join(tmpdir(), 'ocpp-dash-'));
  charger = await startCharger({ role: 'standalone', httpPort: 0, httpHost: '127.0.0.1', mqtt: { kind: 'none' }, stateDir, baud: 115200, quiet: true, ocpp: { server: cs.url, chargeBoxId: ID } });
  browser = await launchChromium();
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await charger?.close();
  await cs?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('dashboard: OCPP', () => {
  it('shows connected, then the transaction id, then the central system’s limit', async () => {
    await page.goto(charger.http.url + '/');
    await ocppText('^connected · no transaction$');
    await fetch(charger.http.url + '/sim/plug', { method: 'POST' });
    const start = await cs.waitFor(() => cs.sent(ID, 'StartTransaction')[0], 10_000, 'start');
    await ocppText(`transaction ${start.result!.transactionId}$`);
    await cs.call(ID, 'SetChargingProfile', {
      connectorId: 1,
      csChargingProfiles: { chargingProfileId: 9, stackLevel: 1, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 12.5 }] } },
    });
    await ocppText(`transaction ${start.result!.transactionId} · limit 12.5 A$`);
    await cs.close();
    await ocppText('^offline');
    expect(cs.failures).toEqual([]);
  });
});

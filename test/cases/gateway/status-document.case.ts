// The /status document is built without an object per source: the sources
// write into it (StatusSource.fields(into)), and some parts are kept between
// requests while what they depend on stands (the claims' merged target per
// claims version, the zone's daylight-time window per year, the offset's
// text per offset, the inputs /status shows once set per new input name).
// These cases hold the document to its definition (every source's fields made
// afresh, merged in order with Object.assign: what Telemetry.document did)
// after each kind of change, including the ones no event reports (a
// freshness window running out, the clock crossing a DST edge), and check the
// changed fields against values worked out here.

import { describe, it, expect } from '../harness';
import { minutesEast } from '../../../modules/gateway/time-zone';
import { utcOffset, type Json } from '../../../modules/gateway/status';
import type { Gateway } from '../../../modules/gateway/gateway';
import { emptySnapshot, type EvseSnapshot } from '../../../modules/gateway/evse-snapshot';
import { evseFields } from '../../../modules/gateway/status';
import { standalone } from './standalone';
import { CORS, headers, json } from '../../../modules/gateway/http-answer';

/** The document as it was defined: each source's fields made afresh, merged in the features' order. */
function definition(gw: Gateway): Record<string, Json> {
  const doc: Record<string, Json> = {};
  for (const f of gw.features) for (const s of f.status ?? []) Object.assign(doc, s.fields());
  return doc;
}

/** The document as built, against the definition: the same keys in the same order, the same values, the same JSON. */
function expectDefinition(gw: Gateway): Record<string, Json> {
  const got = gw.telemetry.document();
  const want = definition(gw);
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const k of Object.keys(want)) expect(Object.is(got[k], want[k])).toBe(true);
  expect(JSON.stringify(got)).toBe(JSON.stringify(want));
  return got;
}

describe('GET /status: the document built in place, after each kind of change', () => {
  it('boot, inputs, vehicle data, freshness running out, claims, settings, charging, a DST edge, a time zone change', async () => {
    const g = standalone();
    const gw = g.gateway;
    await g.run(3000);
    let doc = expectDefinition(gw);
    expect(doc.solar).toBe(0);
    expect('battery_level' in doc).toBe(false);
    expect(doc.vehicle_state_update).toBe(gw.uptime());

    // Inputs: solar and a voltage (fresh for 120 s, then gone without an event).
    await g.post('/status', { solar: 1200, voltage: 231 });
    doc = expectDefinition(gw);
    expect([doc.solar, doc.voltage, doc.divert_update]).toEqual([1200, 231, 0]);
    await g.run(121_000);
    doc = expectDefinition(gw);
    expect(doc.voltage).not.toBe(231);
    expect(doc.divert_update).toBe(121);
    expect((await g.status()).voltage).toBe(doc.voltage);

    // Vehicle data (shown once set), then a home battery: each new name changes what is shown.
    expect((await g.post('/config', { vehicle_data_src: 3 })).status).toBe(200);
    await g.post('/status', { battery_level: 64 });
    doc = expectDefinition(gw);
    expect(doc.battery_level).toBe(64);
    expect('battery_range' in doc).toBe(false);
    await g.post('/status', { home_battery_soc: 40 });
    doc = expectDefinition(gw);
    expect([doc.battery_level, doc.home_battery_soc]).toEqual([64, 40]);
    expect((await g.status()).home_battery_soc).toBe(40);

    // Claims: the merged target is kept per claims version; a claim, a change of it and its release each show.
    const v0 = doc.claims_version as number;
    await g.post('/override', { state: 'disabled' });
    await g.run(2000);
    doc = expectDefinition(gw);
    expect([doc.manual_override, doc.status]).toEqual([1, 'disabled']);
    expect(doc.claims_version).toBeGreaterThan(v0);
    await g.post('/override', { state: 'active' });
    await g.run(2000);
    doc = expectDefinition(gw);
    expect(doc.status).toBe('active');
    await g.http('DELETE', '/override');
    await g.run(2000);
    doc = expectDefinition(gw);
    expect([doc.manual_override, doc.status]).toEqual([0, 'active']);
    expect((await g.status()).manual_override).toBe(0);

    // Charging: the controller's fields move.
    g.station.ev.plug();
    g.station.ev.requestCharge(true);
    await g.run(10_000);
    doc = expectDefinition(gw);
    expect(doc.state).toBe(3);
    expect(doc.amp as number).toBeGreaterThan(0);

    // The clock crosses London's spring DST edge (2026-03-29 01:00 UTC) with no event.
    const london = 'Europe/London|GMT0BST,M3.5.0/1,M10.5.0';
    expect((await g.post('/config', { time_zone: london })).status).toBe(200);
    g.clock.setWall(Date.UTC(2026, 2, 29, 0, 59, 58));
    doc = expectDefinition(gw);
    expect([doc.offset, doc.local_time, doc.time]).toEqual(['+0000', '2026-03-29T00:59:58+0000', '2026-03-29T00:59:58Z']);
    await g.run(2000);
    doc = expectDefinition(gw);
    expect([doc.offset, doc.local_time, doc.time]).toEqual(['+0100', '2026-03-29T02:00:00+0100', '2026-03-29T01:00:00Z']);

    // Back across a year end, then another zone: the year's window and the offset's text are made again.
    g.clock.setWall(Date.UTC(2025, 11, 31, 23, 59, 59));
    doc = expectDefinition(gw);
    expect(doc.offset).toBe('+0000');
    const newYork = 'America/New_York|EST5EDT,M3.2.0,M11.1.0';
    expect((await g.post('/config', { time_zone: newYork })).status).toBe(200);
    doc = expectDefinition(gw);
    expect(doc.offset).toBe(utcOffset(minutesEast(newYork, g.clock.wall())));
    expect(doc.offset).toBe('-0500');
    g.clock.setWall(Date.UTC(2026, 6, 1, 12, 0, 0));
    doc = expectDefinition(gw);
    expect([doc.offset, doc.local_time]).toEqual(['-0400', '2026-07-01T08:00:00-0400']);
    expect((await g.status()).offset).toBe('-0400');
  });
});

describe('evseFields written into a document', () => {
  it('the same keys, order and values into an empty object, a fresh one, or a document with fields before them', () => {
    const snapshots: EvseSnapshot[] = [
      emptySnapshot(),
      { ...emptySnapshot(), state: 3, amp: 31_950, pilot: 32, temps: [250, null, 315], wattsec: 7_200_000, whTotal: 12_345, vflags: 0x0100 },
      { ...emptySnapshot(), state: 254, temps: [null], maxCurrentSoft: 16 },
    ];
    for (const s of snapshots) {
      const fresh = evseFields(s, 231.456);
      const into: Record<string, Json> = { before: 1, amp: -1 };
      const got = evseFields(s, 231.456, into);
      expect(got).toBe(into);
      // A field already in the document keeps its place (Object.assign's rule), the others follow in the source's order.
      expect(Object.keys(got)).toEqual(['before', ...Object.keys(fresh)]);
      expect(JSON.stringify({ before: 1, ...fresh })).toBe(JSON.stringify(got));
    }
  });
});

describe('answer headers', () => {
  it('every JSON answer carries the CORS headers and no caching', () => {
    const h = json(200, {}).headers;
    expect(h).toEqual({ ...CORS, 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private, no-store, must-revalidate' });
    expect(headers('text/html')['Content-Type']).toBe('text/html');
    expect(headers('text/html')).not.toBe(headers('text/html'));
  });
});

// The weekly timer of OpenEVSE's scheduler.cpp: events, the plan, the claim
// of the event in force, persistence, the time zone, on a virtual clock.
import { describe, it, expect } from '../harness';
import { currentAndNext, localWeekTime, parseEvent, parseTime } from '../../../modules/gateway/schedule';
import { SCHEDULE_CLIENT } from '../../../modules/gateway/features/scheduler';
import { bodyJson } from './fixtures';
import { standalone } from './standalone';

describe('schedule maths', () => {
  it('reads times and events, and refuses bad ones by name', () => {
    expect(parseTime('07:30')).toBe(27000);
    expect(parseTime('23:59:59')).toBe(86399);
    expect(parseTime('24:00')).toBeUndefined();
    expect(parseEvent({ id: 1, state: 'active', time: '22:00', days: ['monday', 'Friday'] })).toEqual({ ok: true, event: { id: 1, state: 'active', offset: 79200, days: 0b100010 } });
    const bad = parseEvent({ id: 1, state: 'active', time: '22:00', days: ['someday'] });
    expect(bad.ok ? '' : bad.error).toContain('someday');
  });

  it('2026-01-01 00:00 UTC is a Thursday; an hour east of UTC it is 01:00 there', () => {
    expect(localWeekTime(Date.UTC(2026, 0, 1), 0)).toEqual({ day: 4, offset: 0 });
    expect(localWeekTime(Date.UTC(2026, 0, 1), 60)).toEqual({ day: 4, offset: 3600 });
    expect(localWeekTime(Date.UTC(2026, 0, 1), -60)).toEqual({ day: 3, offset: 82800 });
  });

  it('the event in force is the latest at or before now, round the week', () => {
    const on = { id: 1, state: 'active' as const, offset: 22 * 3600, days: 0x7f };
    const off = { id: 2, state: 'disabled' as const, offset: 6 * 3600, days: 0x7f };
    expect(currentAndNext([on, off], 3, 23 * 3600)?.current.event.id).toBe(1);
    expect(currentAndNext([on, off], 3, 7 * 3600)?.current.event.id).toBe(2);
    const early = currentAndNext([on, off], 0, 3600)!; // Sunday 01:00: Saturday's 22:00 still holds
    expect([early.current.event.id, early.current.day, early.next.event.id, early.delay]).toEqual([1, 6, 2, 5 * 3600]);
    expect(currentAndNext([], 0, 0)).toBeUndefined();
  });
});

describe('/schedule', () => {
  it('an "active" window at night: the claim follows the clock, the plan says so, events survive a restart', async () => {
    // Thursday 2026-01-01 21:59:00 UTC, zone UTC
    const g = standalone();
    g.clock.setWall(Date.UTC(2026, 0, 1, 21, 59, 0));
    await g.post('/config', { time_zone: 'Etc/UTC|UTC0' });
    await g.run(1000);
    const v = (await g.status()).schedule_version;
    const r = await g.post('/schedule', [
      { id: 1, state: 'active', time: '22:00', days: ['thursday'] },
      { id: 2, state: 'disabled', time: '06:00', days: ['friday'] },
    ]);
    expect(r.status).toBe(200);
    expect((await g.status()).schedule_version).toBe(v + 1);
    // before 22:00 the event in force is Friday 06:00 "disabled" (of last week)
    await g.run(1000);
    expect(g.gateway.claims.get(SCHEDULE_CLIENT)?.properties.state).toBe('disabled');
    expect(g.station.controller.state).toBe(254);
    await g.run(60_000);
    expect(g.gateway.claims.get(SCHEDULE_CLIENT)?.properties.state).toBe('active');
    expect(g.gateway.claims.get(SCHEDULE_CLIENT)?.priority).toBe(100);
    expect(g.station.controller.state).toBe(1);
    const plan = bodyJson(await g.http('GET', '/schedule/plan'));
    expect(plan.current_day).toBe('thursday');
    expect(plan.current_event.id).toBe(1);
    expect(plan.next_event.id).toBe(2);
    expect(plan.next_event_delay).toBe(Math.ceil((Date.UTC(2026, 0, 2, 6, 0, 0) - g.clock.wall()) / 1000));
    expect(bodyJson(await g.http('GET', '/schedule/2'))).toEqual({ id: 2, state: 'disabled', time: '06:00:00', days: ['friday'] });
    // a new gateway on the same flash has them
    const again = standalone({ storage: g.storage });
    await again.run(1000);
    expect(bodyJson(await again.http('GET', '/schedule')).map((e: { id: number }) => e.id)).toEqual([1, 2]);
  });

  it('POST /schedule/{id} adds one, DELETE removes it, 404 for none; bad events 400 and nothing kept; at most 50', async () => {
    const g = standalone();
    await g.run(1000);
    expect((await g.post('/schedule/7', { state: 'active', time: '08:15', days: ['monday'] })).status).toBe(200);
    expect((await g.post('/schedule', [{ id: 8, state: 'active', time: '09:00', days: ['monday'] }, { id: 9, state: 'on', time: '09:00', days: ['monday'] }])).status).toBe(400);
    expect(bodyJson(await g.http('GET', '/schedule')).length).toBe(1);
    expect((await g.http('DELETE', '/schedule/7')).status).toBe(200);
    expect((await g.http('DELETE', '/schedule/7')).status).toBe(404);
    expect((await g.http('GET', '/schedule/7')).status).toBe(404);
    expect(g.gateway.claims.has(SCHEDULE_CLIENT)).toBe(false);
    const many = Array.from({ length: 51 }, (_, i) => ({ id: i + 1, state: 'active', time: '10:00', days: ['monday'] }));
    expect(bodyJson(await g.post('/schedule', many)).msg).toContain('50');
    expect((await g.post('/schedule', many.slice(0, 50))).status).toBe(200);
  });

  it('a POST with no body answers the list (python-openevse-http get_schedule)', async () => {
    const g = standalone();
    await g.run(1000);
    await g.post('/schedule/3', { state: 'disabled', time: '01:00', days: ['sunday'] });
    const r = await g.http('POST', '/schedule');
    expect(bodyJson(r)).toEqual([{ id: 3, state: 'disabled', time: '01:00:00', days: ['sunday'] }]);
  });
});

// The UTC offset of OpenEVSE's `time_zone` setting (a POSIX TZ rule after a
// bar), checked against the real offsets and transition moments of those zones.
import { describe, it, expect } from '../harness';
import { minutesEast, parseZone, ZoneClock } from '../../../modules/gateway/time-zone';
import { isoTime, localIsoTime, utcOffset } from '../../../modules/gateway/status';
import { mulberry32 } from '../../../sim/random';

const at = (iso: string) => Date.parse(iso);

describe('POSIX time zones', () => {
  it('London (OpenEVSE default): GMT in winter, BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October', () => {
    const tz = 'Europe/London|GMT0BST,M3.5.0/1,M10.5.0';
    expect(minutesEast(tz, at('2026-01-15T12:00:00Z'))).toBe(0);
    expect(minutesEast(tz, at('2026-07-01T12:00:00Z'))).toBe(60);
    // 2026: 29 March and 25 October are the last Sundays
    expect(minutesEast(tz, at('2026-03-29T00:59:59Z'))).toBe(0);
    expect(minutesEast(tz, at('2026-03-29T01:00:00Z'))).toBe(60);
    expect(minutesEast(tz, at('2026-10-25T00:59:59Z'))).toBe(60);
    expect(minutesEast(tz, at('2026-10-25T01:00:00Z'))).toBe(0);
  });

  it('Berlin, New York, Sydney (southern summer), India (half hour, no DST), <-03>3', () => {
    expect(minutesEast('Europe/Berlin|CET-1CEST,M3.5.0,M10.5.0/3', at('2026-01-10T00:00:00Z'))).toBe(60);
    expect(minutesEast('Europe/Berlin|CET-1CEST,M3.5.0,M10.5.0/3', at('2026-08-10T00:00:00Z'))).toBe(120);
    // US: second Sunday of March (8 March 2026) at 02:00 EST = 07:00 UTC
    expect(minutesEast('America/New_York|EST5EDT,M3.2.0,M11.1.0', at('2026-03-08T06:59:59Z'))).toBe(-300);
    expect(minutesEast('America/New_York|EST5EDT,M3.2.0,M11.1.0', at('2026-03-08T07:00:00Z'))).toBe(-240);
    expect(minutesEast('Australia/Sydney|AEST-10AEDT,M10.1.0,M4.1.0/3', at('2026-01-15T00:00:00Z'))).toBe(660);
    expect(minutesEast('Australia/Sydney|AEST-10AEDT,M10.1.0,M4.1.0/3', at('2026-07-15T00:00:00Z'))).toBe(600);
    expect(minutesEast('Asia/Kolkata|IST-5:30', at('2026-07-15T00:00:00Z'))).toBe(330);
    expect(minutesEast('America/Sao_Paulo|<-03>3', at('2026-07-15T00:00:00Z'))).toBe(-180);
  });

  it('Jn and n day rules', () => {
    // J60 is 1 March in every year; 59 (zero-based, leap days counted) is 29 February in 2028
    const j = parseZone('XST0XDT,J60/0,J300/0')!;
    expect(minutesEast('XST0XDT,J60/0,J300/0', at('2028-02-29T23:59:59Z'))).toBe(0);
    expect(minutesEast('XST0XDT,J60/0,J300/0', at('2028-03-01T00:00:00Z'))).toBe(60);
    expect(j.dst?.offset).toBe(3600);
    expect(minutesEast('XST0XDT,59/0,300/0', at('2028-02-28T23:59:59Z'))).toBe(0);
    expect(minutesEast('XST0XDT,59/0,300/0', at('2028-02-29T00:00:00Z'))).toBe(60);
  });

  it('an unreadable setting counts as UTC', () => {
    expect(parseZone('Europe/London')).toBeUndefined();
    expect(minutesEast('nonsense', at('2026-07-01T00:00:00Z'))).toBe(0);
    expect(minutesEast('', at('2026-07-01T00:00:00Z'))).toBe(0);
  });

  it('formats as strftime %z and %FT%T%z', () => {
    expect(utcOffset(60)).toBe('+0100');
    expect(utcOffset(-300)).toBe('-0500');
    expect(utcOffset(330)).toBe('+0530');
    expect(localIsoTime(at('2026-07-01T12:00:00Z'), 60)).toBe('2026-07-01T13:00:00+0100');
    expect(localIsoTime(at('2026-01-01T02:00:00Z'), -300)).toBe('2025-12-31T21:00:00-0500');
  });
});

describe('ZoneClock (the rule parsed once per setting)', () => {
  it('agrees with minutesEast through a setting change and both DST edges', () => {
    const clock = new ZoneClock();
    const london = 'Europe/London|GMT0BST,M3.5.0/1,M10.5.0';
    const newYork = 'America/New_York|EST5EDT,M3.2.0,M11.1.0';
    // 2026-03-29 01:00 UTC London goes to BST; 2026-03-08 07:00 UTC New York to EDT.
    const moments = [Date.UTC(2026, 2, 29, 0, 59), Date.UTC(2026, 2, 29, 1, 0), Date.UTC(2026, 2, 8, 6, 59), Date.UTC(2026, 2, 8, 7, 0), Date.UTC(2026, 9, 25, 1, 0)];
    const seen: number[] = [];
    for (const zone of [london, london, newYork, 'not a zone', london]) {
      for (const t of moments) {
        const east = clock.minutesEast(zone, t);
        expect(east).toBe(minutesEast(zone, t));
        seen.push(east);
      }
    }
    expect(seen).toContain(60);
    expect(seen).toContain(-240);
    expect(seen).toContain(-300);
    expect(seen).toContain(0);
  });

  it('agrees with minutesEast at random moments, forwards and backwards, across year ends and both DST edges, through setting changes', () => {
    const zones = [
      'Europe/London|GMT0BST,M3.5.0/1,M10.5.0',
      'America/New_York|EST5EDT,M3.2.0,M11.1.0',
      'Australia/Sydney|AEST-10AEDT,M10.1.0,M4.1.0/3',
      'Pacific/Chatham|<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45',
      'XST0XDT,J60/0,J300/0',
      'XST-14XDT,59/23,300/1',
      'Asia/Kolkata|IST-5:30',
      'XST-14XDT,M12.5.0/0,M1.1.0/0',
      'not a zone',
    ];
    const random = mulberry32(15);
    const clock = new ZoneClock();
    let zone = zones[0];
    let t = Date.UTC(2026, 0, 1);
    let checked = 0;
    for (let i = 0; i < 4000; i++) {
      const r = random();
      if (r < 0.02) zone = zones[Math.floor(random() * zones.length)];
      else if (r < 0.1) t = Date.UTC(2020 + Math.floor(random() * 12), 0, 1) + Math.floor((random() - 0.5) * 172800000); // near a year end
      else if (r < 0.15) t -= Math.floor(random() * 86400000 * 40); // back in time
      else t += Math.floor(random() * 3600000 * (r < 0.5 ? 1 : 200));
      expect(clock.minutesEast(zone, t)).toBe(minutesEast(zone, t));
      checked++;
    }
    expect(checked).toBe(4000);
  });

  it('takes the rules of the new year at the new year of standard time, not of UTC (a zone whose daylight time ends on 1 January 2023, a Sunday)', () => {
    // UTC+14 with daylight time from the last Sunday of December to the first Sunday of January, 00:00 local.
    const zone = 'XST-14XDT,M12.5.0/0,M1.1.0/0';
    const clock = new ZoneClock();
    const seen = new Set<number>();
    for (let t = Date.UTC(2022, 11, 30); t < Date.UTC(2023, 0, 2); t += 1800000) {
      const east = clock.minutesEast(zone, t);
      expect(east).toBe(minutesEast(zone, t));
      seen.add(east);
    }
    expect([...seen].sort()).toEqual([840, 900]);
  });
});

describe('isoTime and localIsoTime', () => {
  it('give the text of their first definition (toISOString without the milliseconds) at random moments', () => {
    const random = mulberry32(16);
    for (let i = 0; i < 500; i++) {
      const t = Math.floor(random() * 4102444800000); // 1970 … 2100
      const east = Math.round((random() - 0.5) * 28) * 30;
      const iso = new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
      expect(isoTime(t)).toBe(iso);
      const local = new Date(Math.floor((t + east * 60000) / 1000) * 1000).toISOString().replace('.000Z', 'Z').slice(0, -1) + utcOffset(east);
      expect(localIsoTime(t, east)).toBe(local);
      expect(localIsoTime(t, east, utcOffset(east))).toBe(local);
    }
  });
});

import { describe, it, expect } from '../harness';
import { announcePayloads, parseVrms, rapiCommand, reconnectDelay } from '../../../modules/gateway/mqtt-bridge';
import { base64Decode, sameSecret } from '../../../modules/gateway/http-credentials';
import { parseForm } from '../../../modules/gateway/http-form';
import { ConsoleBuffer } from '../../../modules/gateway/console-buffer';
import { CrashLog } from '../../../modules/gateway/crash-log';
import { isoTime, utcOffset } from '../../../modules/gateway/status';
import { MemoryStorage } from './fixtures';

describe('MQTT bridge rules', () => {
  it('maps <topic>/rapi/in/$SC with payload 13 to "$SC 13" (seed 001 example)', () => {
    expect(rapiCommand('charger/nofos-1234', 'charger/nofos-1234/rapi/in/$SC', '13')).toBe('$SC 13');
    expect(rapiCommand('charger/nofos-1234', 'charger/nofos-1234/rapi/in/$GS', '')).toBe('$GS');
    expect(rapiCommand('charger/nofos-1234', 'charger/nofos-1234/rapi/out', '')).toBeUndefined();
    expect(rapiCommand('charger/nofos-1234', 'other/rapi/in/$GS', '')).toBeUndefined();
  });

  it('backs off 1, 2, 4, 8, 16 s and then stays at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(reconnectDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('announces with the seed 001 shapes', () => {
    const p = announcePayloads({ id: 'abcd', name: 'openevse-abcd', topic: 'charger/nofos-1234', http: 'http://10.0.0.2/' });
    expect(JSON.parse(p.connected)).toEqual({ state: 'connected', id: 'abcd', name: 'openevse-abcd', mqtt: 'charger/nofos-1234', http: 'http://10.0.0.2/' });
    expect(JSON.parse(p.will)).toEqual({ state: 'disconnected', id: 'abcd', name: 'openevse-abcd' });
  });

  it('takes plausible mains voltages only from mqtt_vrms', () => {
    expect(parseVrms('230.5')).toBe(230.5);
    expect(parseVrms(' 120 ')).toBe(120);
    expect(parseVrms('5000')).toBeUndefined();
    expect(parseVrms('0')).toBeUndefined();
    expect(parseVrms('abc')).toBeUndefined();
  });
});

describe('HTTP helpers', () => {
  it('decodes basic-auth base64 (RFC 7617 example: Aladdin:open sesame)', () => {
    expect(base64Decode('QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toBe('Aladdin:open sesame');
    expect(base64Decode('not base64!')).toBeUndefined();
  });

  it('compares secrets exactly', () => {
    expect(sameSecret('pa55word', 'pa55word')).toBe(true);
    expect(sameSecret('pa55wore', 'pa55word')).toBe(false);
    expect(sameSecret('pa55', 'pa55word')).toBe(false);
    expect(sameSecret('pa55word!', 'pa55word')).toBe(false);
    expect(sameSecret('', '')).toBe(true);
  });

  it('parses form bodies as python-openevse-http sends them', () => {
    expect(parseForm('json=1&rapi=%24SC+24%5E12')).toEqual({ json: '1', rapi: '$SC 24^12' });
    expect(parseForm('json&rapi=%ZZ')).toEqual({ json: '' });
  });

  it('formats time as seed 001 shows it', () => {
    expect(isoTime(Date.UTC(2026, 2, 10, 12, 34, 56, 789))).toBe('2026-03-10T12:34:56Z');
    expect(utcOffset(60)).toBe('+0100');
    expect(utcOffset(-330)).toBe('-0530');
  });
});

describe('console buffer', () => {
  it('keeps the newest lines within its size', () => {
    const c = new ConsoleBuffer(32);
    for (let i = 0; i < 10; i++) c.add(`line ${i}`); // 7 characters + newline each
    expect(c.text()).toBe('line 6\nline 7\nline 8\nline 9\n');
    expect(c.length).toBeLessThanOrEqual(32);
    expect(c.dropped).toBe(6);
  });
});

describe('crash log', () => {
  it('counts boots, keeps 10 records and reports the previous heartbeat', () => {
    const storage = new MemoryStorage();
    let log = new CrashLog({ storage, unixTime: 1_767_225_600 });
    expect([log.current.boot_count, log.current.reset_reason_str]).toEqual([1, 'poweron']);
    log.beat({ uptime_ms: 123456, free_heap: 1000, largest_free_block: 900, min_free_heap: 800, unix_time: 1_767_225_700 });
    log = new CrashLog({ storage, unixTime: 1_767_225_800, resetReason: 4 });
    expect(log.fields()).toEqual({
      crash_seq: 2,
      boot_count: 2,
      reset_reason: 4,
      reset_reason_str: 'panic',
      prev_uptime_ms: 123456,
      prev_free_heap: 1000,
      prev_largest_free_block: 900,
      prev_min_free_heap: 800,
      prev_unix_time: 1_767_225_700,
      crash_recorded_unix_time: 1_767_225_800,
    });
    for (let i = 0; i < 12; i++) log = new CrashLog({ storage, unixTime: 0, resetReason: 9 });
    expect(log.current.boot_count).toBe(14);
    expect(log.recent(10)).toHaveLength(10);
    expect(log.recent(3).map((r) => r.boot_count)).toEqual([14, 13, 12]);
    expect(log.current.reset_reason_str).toBe('brownout');
  });

  it('survives a broken stored log', () => {
    const storage = new MemoryStorage();
    storage.map.set('crashlog', '{"records":[{"seq');
    const log = new CrashLog({ storage, unixTime: 0 });
    expect(log.current.boot_count).toBe(1);
  });
});

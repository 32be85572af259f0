import { describe, expect, it } from '../harness';
import { parseSeries, parseTime } from '../../../modules/energy/series';

describe('power series CSV', () => {
  it('reads the time formats of public PV logs as UTC ms', () => {
    expect(parseTime('2020-03-16T06:40:00+00:00')).toBe(Date.UTC(2020, 2, 16, 6, 40));
    expect(parseTime('2020-03-16T06:40:00Z')).toBe(Date.UTC(2020, 2, 16, 6, 40));
    expect(parseTime('2020-03-16T08:40:00+02:00')).toBe(Date.UTC(2020, 2, 16, 6, 40));
    expect(parseTime('2018-06-10 07:01:00')).toBe(Date.UTC(2018, 5, 10, 7, 1));
    expect(parseTime('17/12/2023 13:25:01')).toBe(Date.UTC(2023, 11, 17, 13, 25, 1));
    expect(parseTime('1531024080')).toBe(1531024080000);
    expect(parseTime('12:15 AM')).toBe(Date.UTC(2020, 0, 1, 0, 15));
    expect(parseTime('1:30 PM')).toBe(Date.UTC(2020, 0, 1, 13, 30));
    expect(Number.isNaN(parseTime('yesterday'))).toBe(true);
  });

  it('skips the header and gaps, converts kW, reads a voltage column', () => {
    const s = parseSeries('\uFEFF"time";"kW";"V"\n1000;1.5;230\n1060;;\n1120;2;231\n', { kw: true, voltageColumn: 2 });
    expect(s).toEqual([
      { t: 1000000, value: 1500, volts: 230 },
      { t: 1120000, value: 2000, volts: 231 },
    ]);
  });

  it('a bad value or time going backwards is an error naming the line', () => {
    expect(() => parseSeries('t,w\n1,5\n2,abc\n')).toThrow('line 3');
    expect(() => parseSeries('t,w\n5,5\n2,6\n')).toThrow('line 3: time goes backwards');
    expect(() => parseSeries('t,w\n5,5\n')).toThrow('at least two');
  });
});

// Time series of power readings as CSV: a time column and a value column,
// in the shapes public PV logs come in (OpenEVSE's divert_sim data, emoncms
// exports): Unix seconds, ISO 8601 with Z or ±hh:mm, "YYYY-MM-DD hh:mm:ss",
// "DD/MM/YYYY hh:mm:ss", or "hh:mm AM"; separator "," or ";"; watts or kW.
// A header line is skipped. A reading with a time but an empty or "null"
// value is a gap in the record (the logger had no data): it is left out, so
// the replay sees time pass without a reading, as a live feed would. Any
// other line that does not parse is an error naming the line, never a zero.

export interface Sample {
  /** ms since 1970 (UTC; a bare time of day counts from 2020-01-01). */
  t: number;
  /** W. */
  value: number;
  /** V, when the series has a voltage column. */
  volts?: number;
}

export interface SeriesOptions {
  timeColumn?: number;
  valueColumn?: number;
  voltageColumn?: number;
  /** Values are kW. */
  kw?: boolean;
}

export class SeriesError extends Error {
  override name = 'SeriesError';
}

/** ms since 1970 for one time field, or NaN. */
export function parseTime(field: string): number {
  // Made per call: a RegExp kept at module level cannot live in a preloaded (flash) module on XS.
  const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?\s*(Z|[+-]\d\d:?\d\d)?$/;
  const DMY = /^(\d\d?)\/(\d\d?)\/(\d{4})\s+(\d\d?):(\d\d)(?::(\d\d))?$/;
  const AMPM = /^(\d\d?):(\d\d)\s*([AP])M$/i;
  const f = field.trim().replace(/^"|"$/g, '');
  let m = ISO.exec(f);
  if (m) {
    let t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
    const zone = m[7];
    if (zone && zone !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      t -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60000;
    }
    return t;
  }
  m = DMY.exec(f);
  if (m) return Date.UTC(+m[3], +m[2] - 1, +m[1], +m[4], +m[5], +(m[6] ?? 0));
  m = AMPM.exec(f);
  if (m) {
    const h = (+m[1] % 12) + (m[3].toUpperCase() === 'P' ? 12 : 0);
    return Date.UTC(2020, 0, 1, h, +m[2]);
  }
  if (/^\d+(\.\d+)?$/.test(f)) return Math.round(+f * 1000);
  return NaN;
}

function number(field: string | undefined): number {
  if (field === undefined) return NaN;
  const f = field.trim().replace(/^"|"$/g, '');
  return f === '' ? NaN : Number(f);
}

/** Reads a CSV text into samples in time order. Throws SeriesError naming the first bad line. */
export function parseSeries(text: string, options: SeriesOptions = {}): Sample[] {
  const timeCol = options.timeColumn ?? 0;
  const valueCol = options.valueColumn ?? 1;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const sep = (lines[0] ?? '').includes(';') ? ';' : ',';
  const out: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const cols = line.split(sep);
    const t = parseTime(cols[timeCol] ?? '');
    const raw = (cols[valueCol] ?? '').trim().replace(/^"|"$/g, '');
    if (!Number.isNaN(t) && (raw === '' || raw === 'null' || raw === 'nan')) continue;
    const value = number(cols[valueCol]);
    if (Number.isNaN(t) || !Number.isFinite(value)) {
      if (out.length === 0 && i === 0) continue; // the header
      throw new SeriesError(`line ${i + 1}: expected a time in column ${timeCol} and a number in column ${valueCol}, got "${line}"`);
    }
    const sample: Sample = { t, value: options.kw ? value * 1000 : value };
    if (options.voltageColumn !== undefined) {
      const v = number(cols[options.voltageColumn]);
      if (!(v > 0)) throw new SeriesError(`line ${i + 1}: expected a voltage in column ${options.voltageColumn}, got "${line}"`);
      sample.volts = v;
    }
    if (out.length > 0 && t < out[out.length - 1].t) throw new SeriesError(`line ${i + 1}: time goes backwards`);
    out.push(sample);
  }
  if (out.length < 2) throw new SeriesError('a series needs at least two readings');
  return out;
}

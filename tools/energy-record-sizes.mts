// The largest energy records the gateway stores (docs/security.md, "Flash-wear budget"): the
// counters with five-digit totals and switches, the history full to KEEP. Bytes of JSON.
import { emptyEnergy, KEEP } from '../modules/gateway/energy-history.ts';
const d = emptyEnergy({ day: '2026-06-10', week: '2026-06-07', month: '2026-06', year: '2026' });
Object.assign(d, { day: 123.456, week: 234.567, month: 1234.567, year: 12345.678, switches: 99999 });
const entry = (p: string): [string, number] => [p, 1234.567];
const h = { v: 1, daily: Array.from({ length: KEEP.daily }, (_, i) => entry(`2026-05-${String(i + 1).padStart(2, '0')}`)), weekly: Array.from({ length: KEEP.weekly }, () => entry('2026-04-05')), monthly: Array.from({ length: KEEP.monthly }, () => entry('2025-01')), annual: Array.from({ length: KEEP.annual }, () => entry('2025')) };
console.log('counters', JSON.stringify(d).length, 'history', JSON.stringify(h).length);

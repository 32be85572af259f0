// The board's analog front end against the ESP32 ADC as the Moddable SDK
// reads it (sim/esp32-analog: 12 dB window 150–2450 mV, rescaled to 12 bits,
// clamped), at every corner of ±5 % resistor tolerance and ±1 LSB of noise:
// every J1772 pilot level is classified as its state, the diode check tells a
// missing diode, and the CT input measures current without clipping.
import { describe, expect, it } from '../harness';
import { currentSenseVolts, devkit, pilotSenseVolts, pilotVolts, type CurrentSenseCircuit, type PilotSenseDivider } from '../../../hosts/moddable/board';
import { centreOnMidScale } from '../../../hosts/moddable/ct-bias';
import { classifyPilot, type PilotState } from '../../../modules/j1772/pilot';
import { countsToMilliamps, rmsCounts, CALIBRATION_BITS } from '../../../modules/j1772/ammeter';
import { ESP32_ADC_WINDOW, esp32AnalogRead } from '../../../sim/esp32-analog';

const [VMIN, VMAX] = ESP32_ADC_WINDOW[12].map((mv) => mv / 1000);
const NOISE = [-1, 0, 1];

/** Every combination of each resistor at −tol and +tol. */
function corners<T extends object>(nominal: T, keys: (keyof T)[], tol: number): T[] {
  let out: T[] = [{ ...nominal }];
  for (const k of keys) {
    const next: T[] = [];
    for (const c of out) for (const f of [1 - tol, 1 + tol]) next.push({ ...c, [k]: (nominal[k] as number) * f });
    out = next;
  }
  return out;
}

const LEVELS: [number, PilotState][] = [
  [12, 'A'],
  [9, 'B'],
  [6, 'C'],
  [3, 'D'],
  [0, 'E'],
  [-12, 'F'],
];

const pilotCorners = corners<PilotSenseDivider>(devkit.pilot.divider, ['series', 'bias', 'ground'], 0.05);

describe('ESP32 analog (SDK 8.2.3 model)', () => {
  it('reads the 12 dB window 150–2450 mV as 0…4095 and clamps outside it', () => {
    expect(esp32AnalogRead(2.45)).toBe(4095);
    expect(esp32AnalogRead(3.0)).toBe(4095);
    expect(esp32AnalogRead(1.225)).toBe(2047);
    // below 150 mV the reading stops moving
    expect(esp32AnalogRead(0.05)).toBe(esp32AnalogRead(0.15));
    expect(esp32AnalogRead(0.15)).toBe(250);
    expect(esp32AnalogRead(0, -1)).toBe(249);
  });
});

describe('pilot sense divider (100 kΩ / 18 kΩ to 3.3 V / 13.3 kΩ)', () => {
  it('keeps −12 V…+12 V inside the ADC window with at least 150 mV to spare at every ±5 % corner', () => {
    for (const d of pilotCorners) {
      expect(pilotSenseVolts(-12, d)).toBeGreaterThan(VMIN + 0.15);
      expect(pilotSenseVolts(12, d)).toBeLessThan(VMAX - 0.15);
    }
  });

  it('the board calibration is what the nominal divider reads at −12 V and +12 V', () => {
    const d = devkit.pilot.divider;
    expect(devkit.pilot.calibration.rawAtMinus12).toBe(esp32AnalogRead(pilotSenseVolts(-12, d)));
    expect(devkit.pilot.calibration.rawAtPlus12).toBe(esp32AnalogRead(pilotSenseVolts(12, d)));
  });

  it('classifies every J1772 level, calibrated per board, at every ±5 % corner and ±1 LSB of noise', () => {
    let checked = 0;
    for (const d of pilotCorners) {
      for (const n1 of NOISE) {
        for (const n2 of NOISE) {
          // the two-point calibration, itself read with noise
          const cal = { rawAtMinus12: esp32AnalogRead(pilotSenseVolts(-12, d), n1), rawAtPlus12: esp32AnalogRead(pilotSenseVolts(12, d), n2) };
          for (const [volts, state] of LEVELS) {
            for (const n of NOISE) {
              const high = pilotVolts(esp32AnalogRead(pilotSenseVolts(volts, d), n), cal);
              const low = pilotVolts(esp32AnalogRead(pilotSenseVolts(-12, d), -n), cal);
              expect(classifyPilot(high, low, volts !== 12).state).toBe(state);
              expect(Math.abs(high - volts)).toBeLessThan(0.1);
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBe(8 * 9 * 6 * 3);
  });

  it('tells a missing or shorted EV diode (negative half not at −12 V) while PWM runs, at every corner', () => {
    for (const d of pilotCorners) {
      const cal = { rawAtMinus12: esp32AnalogRead(pilotSenseVolts(-12, d)), rawAtPlus12: esp32AnalogRead(pilotSenseVolts(12, d)) };
      for (const [volts, state] of LEVELS.filter(([, s]) => s === 'B' || s === 'C' || s === 'D')) {
        for (const n of NOISE) {
          const high = pilotVolts(esp32AnalogRead(pilotSenseVolts(volts, d), n), cal);
          // with the diode: the generator's −12 V; without: the EV's resistor pulls the negative half too
          const good = pilotVolts(esp32AnalogRead(pilotSenseVolts(-12, d), n), cal);
          const shorted = pilotVolts(esp32AnalogRead(pilotSenseVolts(-volts, d), n), cal);
          expect(classifyPilot(high, good, true)).toEqual({ state, diodeFault: false });
          expect(classifyPilot(high, shorted, true)).toEqual({ state, diodeFault: true });
        }
      }
    }
  });

  it('with 1 % resistors the nominal calibration is enough; with 5 % ones it is not (hence the per-board calibration)', () => {
    const worst = (tol: number) => {
      let err = 0;
      for (const d of corners<PilotSenseDivider>(devkit.pilot.divider, ['series', 'bias', 'ground'], tol)) {
        for (const [volts] of LEVELS) for (const n of NOISE) err = Math.max(err, Math.abs(pilotVolts(esp32AnalogRead(pilotSenseVolts(volts, d), n), devkit.pilot.calibration) - volts));
      }
      return err;
    };
    // decision levels are 1.5 V from the nominal levels
    expect(worst(0.01)).toBeLessThan(0.5);
    expect(worst(0.05)).toBeGreaterThan(1.5);
  });
});

describe('current transformer input (2000:1, 22 Ω burden, 1.227 V bias)', () => {
  const circuit = devkit.current.circuit;
  const rate = devkit.current.rate;
  const ctCorners = corners<CurrentSenseCircuit>(circuit, ['burden', 'biasTop', 'biasBottom'], 0.05);

  /** One 40 ms window of what the host hands the ammeter for `amps` RMS at `hz`. */
  function window(c: CurrentSenseCircuit, amps: number, hz: number, seed: number): Uint16Array {
    const out = new Uint16Array((rate * 40) / 1000);
    for (let i = 0; i < out.length; i++) {
      const instant = amps * Math.SQRT2 * Math.sin((2 * Math.PI * hz * i) / rate + seed);
      out[i] = esp32AnalogRead(currentSenseVolts(instant, c), NOISE[(i * 7 + seed * 3) % 3]);
    }
    centreOnMidScale(out, out.length, 12);
    return out;
  }

  function milliamps(c: CurrentSenseCircuit, amps: number, hz: number, seed: number, scale: number): number {
    const w = window(c, amps, hz, seed);
    const rms = rmsCounts(w, w.length, { bits: 12, rate });
    return countsToMilliamps(rms / 2 ** (12 - CALIBRATION_BITS), scale, 0);
  }

  it('stays inside the ADC window up to 48 A at every ±5 % corner', () => {
    for (const c of ctCorners) {
      const peak = 48 * Math.SQRT2;
      expect(currentSenseVolts(-peak, c)).toBeGreaterThan(VMIN + 0.1);
      expect(currentSenseVolts(peak, c)).toBeLessThan(VMAX - 0.1);
    }
  });

  it('reads 6–48 A within 3 % at 50 and 60 Hz after a one-point $SA calibration, at every corner and with ±1 LSB noise', () => {
    for (const c of ctCorners) {
      // $SA: set the scale so that 32 A reads 32 A on this board
      const scale = (220 * 32000) / milliamps(c, 32, 50, 0, 220);
      for (const hz of [50, 60]) {
        for (const amps of [6, 10, 16, 32, 40, 48]) {
          for (const seed of [0, 1, 2]) {
            const mA = milliamps(c, amps, hz, seed, scale);
            expect(Math.abs(mA - amps * 1000)).toBeLessThan(amps * 30);
          }
        }
      }
    }
  });

  it('reads no current when none flows, whatever the bias error', () => {
    for (const c of ctCorners) expect(milliamps(c, 0, 50, 0, 220)).toBe(0);
  });

  it('with the nominal parts OpenEVSE\'s default scale (220 mA per count) is within 3 %', () => {
    expect(Math.abs(milliamps(circuit, 32, 50, 0, 220) - 32000)).toBeLessThan(960);
  });
});

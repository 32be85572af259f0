// The board file's ADC scaling, checked against the circuit it describes.
import { describe, it, expect } from '../harness';
import { devkit, ntcTenths, pilotVolts } from '../../../hosts/moddable/board';

describe('moddable board scaling', () => {
  const c = devkit.pilot.calibration;

  it('maps the two calibration readings to −12 V and +12 V, and their midpoint to 0 V', () => {
    expect(pilotVolts(c.rawAtMinus12, c)).toBeCloseTo(-12, 9);
    expect(pilotVolts(c.rawAtPlus12, c)).toBeCloseTo(12, 9);
    expect(pilotVolts((c.rawAtMinus12 + c.rawAtPlus12) / 2, c)).toBeCloseTo(0, 9);
  });

  it('reads the J1772 state B level (9 V) where the divider puts it', () => {
    // 0.3 V at −12 V and 2.7 V at +12 V: 9 V is 0.3 + 21/24 × 2.4 = 2.4 V = 2978.9 counts of 4095/3.3 V.
    const raw = Math.round((2.4 / 3.3) * 4095);
    expect(pilotVolts(raw, c)).toBeCloseTo(9, 1);
  });

  it('puts the default divider inside the ADC range with margin on both sides', () => {
    expect(c.rawAtMinus12).toBeGreaterThan(0);
    expect(c.rawAtPlus12).toBeLessThan(2 ** devkit.adcBits - 1);
  });

  it('reads 25.0 °C when the NTC equals its series resistor (R25)', () => {
    expect(ntcTenths(2048, 12, devkit.temperature.ntc)).toBe(250);
  });

  it('reads 50 °C from the resistance the beta equation gives at 323.15 K', () => {
    const { r25, beta, series } = devkit.temperature.ntc;
    const r50 = r25 * Math.exp(beta * (1 / 323.15 - 1 / 298.15)); // ≈ 3588 Ω
    const raw = Math.round((4096 * r50) / (series + r50));
    const t = ntcTenths(raw, 12, devkit.temperature.ntc);
    expect(t).not.toBeNull();
    expect(Math.abs((t as number) - 500)).toBeLessThanOrEqual(3); // one count is about 0.1 °C here
  });

  it('reports an open or shorted thermistor as absent', () => {
    expect(ntcTenths(0, 12, devkit.temperature.ntc)).toBeNull();
    expect(ntcTenths(4095, 12, devkit.temperature.ntc)).toBeNull();
  });

  it('uses only ADC1 pins for analog inputs (ADC2 stops working when Wi-Fi is on)', () => {
    const adc1 = [32, 33, 34, 35, 36, 37, 38, 39];
    for (const pin of [devkit.pilot.sense, devkit.current.pin, ...devkit.temperature.pins]) expect(adc1).toContain(pin);
  });

  it('assigns no pin twice', () => {
    const pins = [
      devkit.rapi.receive, devkit.rapi.transmit, devkit.pilot.out, devkit.pilot.sense, devkit.current.pin,
      devkit.relay.pin, devkit.acSense.line1, devkit.acSense.line2, devkit.gfci.sense, devkit.gfci.test,
      devkit.button.pin, ...devkit.temperature.pins,
    ];
    expect(new Set(pins).size).toBe(pins.length);
  });
});

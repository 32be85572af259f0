// The board file's ADC scaling, checked against the circuit it describes.
import { describe, it, expect } from '../harness';
import { devkit, ntcTenths, pilotSenseVolts, pilotVolts } from '../../../hosts/moddable/board';
import { esp32AnalogRead } from '../../../sim/esp32-analog';

describe('moddable board scaling', () => {
  const c = devkit.pilot.calibration;

  it('maps the two calibration readings to −12 V and +12 V, and their midpoint to 0 V', () => {
    expect(pilotVolts(c.rawAtMinus12, c)).toBeCloseTo(-12, 9);
    expect(pilotVolts(c.rawAtPlus12, c)).toBeCloseTo(12, 9);
    expect(pilotVolts((c.rawAtMinus12 + c.rawAtPlus12) / 2, c)).toBeCloseTo(0, 9);
  });

  it('reads the J1772 state B level (9 V) where the divider puts it', () => {
    // 9 V through 100 kΩ, 18 kΩ to 3.3 V, 13.3 kΩ to ground: 1.9421 V at the pin,
    // 1.9421 / 2.450 × 4095 = 3246 counts of the SDK's 12 dB scale.
    expect(pilotSenseVolts(9, devkit.pilot.divider)).toBeCloseTo(1.9421, 3);
    expect(pilotVolts(3246, c)).toBeCloseTo(9, 1);
  });

  it('puts the default divider inside the ADC range with margin on both sides', () => {
    expect(c.rawAtMinus12).toBeGreaterThan(0);
    expect(c.rawAtPlus12).toBeLessThan(2 ** devkit.adcBits - 1);
  });

  /** What the SDK's Analog reads for an NTC of `ohms` on the board's divider. */
  const ntcRead = (ohms: number) => {
    const { series, rail } = devkit.temperature.ntc;
    return esp32AnalogRead((rail * ohms) / (series + ohms));
  };
  const tenths = (raw: number) => ntcTenths(raw, 12, devkit.adcFullScale, devkit.temperature.ntc);

  it('reads 25.0 °C when the NTC is at R25', () => {
    expect(tenths(ntcRead(devkit.temperature.ntc.r25))).toBe(250);
  });

  it('reads 50 °C and 71 °C (OpenEVSE\'s panic level) from the resistances the beta equation gives', () => {
    const { r25, beta } = devkit.temperature.ntc;
    for (const celsius of [50, 71, -10, 85]) {
      const r = r25 * Math.exp(beta * (1 / (celsius + 273.15) - 1 / 298.15));
      const t = tenths(ntcRead(r));
      expect(t).not.toBeNull();
      expect(Math.abs((t as number) - celsius * 10)).toBeLessThanOrEqual(5);
    }
  });

  it('reports an open or shorted thermistor as absent', () => {
    expect(tenths(ntcRead(0))).toBeNull();
    expect(tenths(ntcRead(1e9))).toBeNull();
    expect(tenths(0)).toBeNull();
    expect(tenths(4095)).toBeNull();
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

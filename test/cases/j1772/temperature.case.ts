import { describe, it, expect } from '../harness';
import { hottest, Thermal, thermalLevel, thermalLimit } from '../../../modules/j1772/temperature';

describe('thermal protection', () => {
  it('steps down at 65.0 °C, 68.0 °C and faults at 71.0 °C (OpenEVSE ambient thresholds)', () => {
    expect(thermalLevel(Thermal.Full, 649)).toBe(Thermal.Full);
    expect(thermalLevel(Thermal.Full, 650)).toBe(Thermal.Half);
    expect(thermalLevel(Thermal.Half, 680)).toBe(Thermal.Quarter);
    expect(thermalLevel(Thermal.Quarter, 710)).toBe(Thermal.Panic);
  });

  it('steps back up only below the lower marks: ¼→½ at 65.0 °C, ½→full at 62.0 °C', () => {
    expect(thermalLevel(Thermal.Quarter, 660)).toBe(Thermal.Quarter);
    expect(thermalLevel(Thermal.Quarter, 650)).toBe(Thermal.Half);
    expect(thermalLevel(Thermal.Half, 630)).toBe(Thermal.Half);
    expect(thermalLevel(Thermal.Half, 620)).toBe(Thermal.Full);
  });

  it('no sensor means no throttling', () => {
    expect(thermalLevel(Thermal.Half, hottest([null, null]))).toBe(Thermal.Full);
    expect(hottest([null, 300, 420])).toBe(420);
  });

  it('halves and quarters the current but never below 6 A', () => {
    expect(thermalLimit(Thermal.Half, 32, 6)).toBe(16);
    expect(thermalLimit(Thermal.Quarter, 32, 6)).toBe(8);
    expect(thermalLimit(Thermal.Quarter, 16, 6)).toBe(6);
    expect(thermalLimit(Thermal.Full, 32, 6)).toBe(32);
  });
});

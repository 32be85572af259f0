import { bench } from './registry';
import { FrameParser } from '../../modules/rapi/parser';
import { encode, encodeBytes, toBytes } from '../../modules/rapi/frame';
import { classifyPilot, DEFAULT_THRESHOLDS, pilotCode } from '../../modules/j1772/pilot';
import { Ammeter, cycleRms, rmsCounts, rmsParams } from '../../modules/j1772/ammeter';
import { ConsoleBuffer } from '../../modules/gateway/console-buffer';

bench('parse one frame ($OK 03 125 03 0140 :2A^7A)', () => {
  const bytes = toBytes('$OK 03 125 03 0140 :2A^7A\r');
  let frames = 0;
  const parser = new FrameParser({ onFrame: () => frames++ });
  return () => parser.receive(bytes);
});

bench('encode one frame ($SC 32 V :2A)', () => {
  let out = '';
  return () => {
    out = encode('SC', [32, 'V'], { seq: 0x2a });
  };
});

bench('encode one frame to bytes the long way: toBytes(encode($SC 32 V :2A))', () => {
  let out: Uint8Array | undefined;
  return () => {
    out = toBytes(encode('SC', [32, 'V'], { seq: 0x2a }));
  };
});

bench('encode one frame to bytes as it goes on the wire: encodeBytes($SC 32 V :2A)', () => {
  let out: Uint8Array | undefined;
  return () => {
    out = encodeBytes('SC', [32, 'V'], { seq: 0x2a });
  };
});

bench('classify one pilot reading', () => {
  const highs = [12, 9, 6, 3];
  let i = 0;
  return () => {
    classifyPilot(highs[i++ & 3], -12, true);
  };
});

bench('RMS of one 60 Hz cycle sampled at 4 kHz', () => {
  // 35 ms window (140 samples) of a 10-bit CT signal; the cycle itself is 67 samples.
  const samples = new Uint16Array(140);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(512 + 200 * Math.sin((2 * Math.PI * 60 * i) / 4000 + 0.3));
  const options = { bits: 10, rate: 4000 };
  return () => {
    rmsCounts(samples, samples.length, options);
  };
});

bench('console: add one 30-character line to a full 4096-character console', () => {
  const console = new ConsoleBuffer(4096);
  const line = '>$GS^30 <$OK 03 125 03 0140^7A';
  for (let i = 0; i < 200; i++) console.add(line);
  return () => console.add(line);
});

/** The device's CT window: 40 ms at 4 kHz of a 12-bit ADC, 32 A at 60 Hz with OpenEVSE's default scale. */
function ctWindow(): Uint16Array {
  const samples = new Uint16Array(160);
  const peak = ((32 * 1000) / 220) * 4 * Math.SQRT2;
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(2048 + peak * Math.sin((2 * Math.PI * 60 * i) / 4000 + 0.3));
  return samples;
}

bench('ammeter: RMS of one reading (40 ms window, 12 bits, 4 kHz, 32 A at 60 Hz)', () => {
  const samples = ctWindow();
  const params = rmsParams({ bits: 12, rate: 4000 });
  return () => {
    cycleRms(samples, samples.length, params);
  };
});

bench('ammeter: one reading through Ammeter.measure (RMS, calibration, block average)', () => {
  const samples = ctWindow();
  const ammeter = new Ammeter({ bits: 12, rate: 4000, block: 8 });
  return () => {
    ammeter.measure(samples, samples.length);
  };
});

bench('classify one pilot reading as the control tick does (pilotCode)', () => {
  const highs = [12, 9, 6, 3];
  let i = 0;
  return () => {
    pilotCode(highs[i++ & 3], -12, true, DEFAULT_THRESHOLDS);
  };
});

import { describe, it, expect } from '../harness';
import { FrameParser } from '../../../modules/rapi/parser';
import { decode, encode, toBytes, type Frame } from '../../../modules/rapi/frame';
import { interpret, isAsync, replyText } from '../../../modules/rapi/message';

function collect(bufferSize?: number) {
  const frames: { frame: Frame; text: string }[] = [];
  const errors: { error: string; text: string }[] = [];
  const parser = new FrameParser({
    bufferSize,
    onFrame: (frame, text) => frames.push({ frame, text }),
    onError: (error, text) => errors.push({ error, text }),
  });
  return { parser, frames, errors };
}

describe('RAPI encoder', () => {
  it('emits uppercase hex for the checksum and the sequence id', () => {
    expect(encode('GS', [], { seq: 0xab })).toBe('$GS :AB^' + encode('GS', [], { seq: 0xab }).slice(-3, -1) + '\r');
    expect(encode('GS', [], { seq: 0xab })).toMatch(/^\$GS :AB\^[0-9A-F]{2}\r$/);
    expect(encode('SL', ['A'], { checksum: 'sum' })).toBe('$SL A*24\r');
    expect(encode('GS', [], { checksum: 'none' })).toBe('$GS\r');
  });
  it('refuses sequence id 00 and anything outside 01–FF', () => {
    expect(() => encode('GS', [], { seq: 0 })).toThrow('00 is reserved');
    expect(() => encode('GS', [], { seq: 256 })).toThrow('1–255');
    expect(() => encode('GS', [], { seq: 1.5 })).toThrow();
  });
  it('refuses malformed commands and parameters that would break the frame', () => {
    expect(() => encode('G', [])).toThrow('two letters');
    expect(() => encode('SC', ['1 2'])).toThrow('separator');
    expect(() => encode('SC', ['1^2'])).toThrow('separator');
    expect(() => encode('SC', [''])).toThrow('empty');
  });
});

describe('RAPI frame decoder', () => {
  it('accepts checksum hex in either case and normalises the command word', () => {
    expect(decode('$GH^2b').ok).toBe(true);
    expect(decode('$OK 6 80^1e').ok).toBe(true);
    expect(decode('$S2 0*f9').ok).toBe(true);
    const lower = decode('$gp^33'); // two lower-case letters flip 0x20 twice: same XOR as $GP
    expect(lower.ok && lower.frame.command).toBe('GP');
  });
  it('reports a wrong checksum, a bad or 00 sequence id and syntax errors distinctly', () => {
    expect(decode('$GS^31')).toEqual({ ok: false, error: 'checksum' });
    expect(decode('$GS^3')).toEqual({ ok: false, error: 'checksum' });
    expect(decode('$GS^ZZ')).toEqual({ ok: false, error: 'checksum' });
    expect(decode('$GS :00^' + '1A')).toEqual({ ok: false, error: 'checksum' });
    const zero = encode('GS', [], { checksum: 'none' }).slice(0, -1) + ' :00';
    expect(decode(zero)).toEqual({ ok: false, error: 'sequence' });
    expect(decode('$GS :G1')).toEqual({ ok: false, error: 'sequence' });
    expect(decode('GS')).toEqual({ ok: false, error: 'syntax' });
    expect(decode('$')).toEqual({ ok: false, error: 'syntax' });
    expect(decode('$G')).toEqual({ ok: false, error: 'syntax' });
  });
  it('accepts a frame without checksum ("for experimentation only")', () => {
    const r = decode('$S1 18 10 18 12 30 00');
    expect(r.ok && r.frame.checksum).toBe('none');
    expect(r.ok && r.frame.params).toEqual(['18', '10', '18', '12', '30', '00']);
  });
});

describe('RAPI streaming parser', () => {
  it('splits frames from one chunk and from single bytes alike', () => {
    const text = '$OK^20\r$AT 03 03 32 0140^35\r$NK^21\r';
    const whole = collect();
    // Three frames: toBytes makes one frame's bytes, so the stream is joined from three.
    const stream = text.split('\r').filter((t) => t !== '').map((t) => toBytes(t + '\r'));
    const bytes = new Uint8Array(stream.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of stream) {
      bytes.set(b, at);
      at += b.length;
    }
    whole.parser.receive(bytes);
    const bytewise = collect();
    for (const b of bytes) bytewise.parser.receive(new Uint8Array([b]));
    expect(whole.frames.map((f) => f.text)).toEqual(['$OK^20', '$AT 03 03 32 0140^35', '$NK^21']);
    expect(bytewise.frames.map((f) => f.text)).toEqual(whole.frames.map((f) => f.text));
    expect(whole.errors).toEqual([]);
  });
  it('resynchronises on $: a partial frame is abandoned for the new one', () => {
    const c = collect();
    c.parser.receive('$GS 1 2$GE^26\r');
    expect(c.frames.map((f) => f.text)).toEqual(['$GE^26']);
  });
  it('ignores noise, LF and echo outside frames and never throws on garbage', () => {
    const c = collect();
    const garbage = new Uint8Array(2000);
    let seed = 12345;
    for (let i = 0; i < garbage.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      garbage[i] = seed & 0xff;
    }
    expect(() => c.parser.receive(garbage)).not.toThrow();
    c.parser.receive('\n\x00junk\r\n$GV^35\r\n');
    expect(c.frames[c.frames.length - 1].text).toBe('$GV^35');
  });
  it('drops a frame longer than the buffer (32 bytes: 31 characters from $) and recovers', () => {
    const c = collect(32);
    const fits = '$FP 0 0 ' + 'x'.repeat(23); // 31 characters
    expect(fits.length).toBe(31);
    c.parser.receive(fits + '\r');
    expect(c.frames).toHaveLength(1);
    expect(c.errors).toHaveLength(0);
  });
  it('reports overflow once per frame, then takes the next frame', () => {
    const c = collect(32);
    c.parser.receive('$FP 0 0 ' + 'y'.repeat(24) + '\r$GS^30\r');
    expect(c.errors.map((e) => e.error)).toEqual(['overflow']);
    expect(c.frames.map((f) => f.text)).toEqual(['$GS^30']);
  });
  it('reports bad checksum and bad sequence as distinct outcomes', () => {
    const c = collect();
    c.parser.receive('$GS^31\r$GS :00\r$GS^30\r');
    expect(c.errors.map((e) => e.error)).toEqual(['checksum', 'sequence']);
    expect(c.frames).toHaveLength(1);
  });
  it('a bigger buffer size is honoured', () => {
    const c = collect(64);
    c.parser.receive('$FP 0 0 ' + 'z'.repeat(50) + '\r');
    expect(c.errors).toEqual([]);
    expect(c.frames).toHaveLength(1);
    expect(() => new FrameParser({ bufferSize: 2, onFrame: () => {} })).toThrow('buffer size');
  });
});

describe('RAPI messages', () => {
  const frame = (text: string): Frame => {
    const r = decode(text);
    if (!r.ok) throw new Error(`test vector ${text} did not decode`);
    return r.frame;
  };
  it('$OK and $NK are replies with parameters and the echoed sequence id', () => {
    expect(interpret(frame('$OK 03 125 03 0140 :2A^7A'))).toEqual({ kind: 'reply', ok: true, params: ['03', '125', '03', '0140'], seq: 0x2a });
    expect(interpret(frame('$NK^21'))).toEqual({ kind: 'reply', ok: false, params: [] });
    expect(replyText({ ok: true, params: ['6', '80'] })).toBe('$OK 6 80');
    expect(replyText({ ok: false, params: [] })).toBe('$NK');
  });
  it('$AT, $AB, $AN, $WF and the legacy $ST state are async, never replies', () => {
    for (const t of ['$AT 03 03 32 0140^35', '$AB 00 8.2.3^1E', '$AN 1^3A', '$WF 02^17', encode('ST', ['3']).slice(0, -1)]) {
      const f = frame(t);
      expect(isAsync(f)).toBe(true);
      expect(interpret(f).kind).toBe('async');
    }
  });
  it('the four-parameter $ST is the timer command, not an async', () => {
    expect(isAsync(frame('$ST 0 0 0 0^23'))).toBe(false);
    expect(interpret(frame('$GS^30')).kind).toBe('other');
  });
});

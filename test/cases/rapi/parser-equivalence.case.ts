// The streaming parser finds frames with the typed array's own indexOf and
// checks the usual `^` checksum itself (parser.ts says why). This holds it to
// the plain definition, written out here byte by byte: a `$` starts a frame,
// a CR ends it, bytes outside frames are ignored, a frame longer than the
// buffer is dropped once as overflow, and every other frame is decode()'s
// verdict on its text. Random streams, cut into random chunks.
import { describe, expect, it } from '../harness';
import { decode, encode, hex2, xorChecksum } from '../../../modules/rapi/frame';
import { FrameParser } from '../../../modules/rapi/parser';

type Event = string;

/** The definition, one byte at a time. */
function reference(stream: number[], bufferSize: number): Event[] {
  const out: Event[] = [];
  let open = false;
  let overflowed = false;
  let text = '';
  for (const b of stream) {
    if (b === 0x24) {
      open = true;
      overflowed = false;
      text = '$';
    } else if (!open) continue;
    else if (b === 0x0d) {
      open = false;
      if (overflowed) continue;
      const r = decode(text);
      out.push(r.ok ? `frame ${JSON.stringify(r.frame)} ${text}` : `error ${r.error} ${text}`);
    } else if (text.length < bufferSize - 1) text += String.fromCharCode(b);
    else if (!overflowed) {
      overflowed = true;
      out.push(`error overflow ${text}`);
    }
  }
  return out;
}

function parsed(chunks: Uint8Array[], bufferSize: number): Event[] {
  const out: Event[] = [];
  const p = new FrameParser({
    bufferSize,
    onFrame: (frame, text) => out.push(`frame ${JSON.stringify(frame)} ${text}`),
    onError: (error, text) => out.push(`error ${error} ${text}`),
  });
  for (const c of chunks) p.receive(c);
  return out;
}

/** Deterministic (the same on XS and Node). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const SPICE = ['^', '*', '$', '\r', ' ', ':', '0', 'a', 'F', 'g', '\n', '^^', '  ', ':00', ':2a'];

describe('RAPI streaming parser, against the byte-by-byte definition', () => {
  it('gives the same frames and errors for 600 random streams in random chunks', () => {
    const rnd = random(15);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
    let frames = 0;
    let errors = 0;
    for (let round = 0; round < 600; round++) {
      let text = '';
      const count = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < count; f++) {
        const params = Array.from({ length: Math.floor(rnd() * 8) }, () => String(Math.floor(rnd() * 2000)));
        const kind = pick(['xor', 'xor', 'xor', 'sum', 'none'] as const);
        const seq = rnd() < 0.5 ? 1 + Math.floor(rnd() * 255) : undefined;
        let frame = encode(pick(['GS', 'OK', 'SC', 'AT', 'gs', 'NK']), params, { checksum: kind, seq });
        // Mutate: change, insert or drop a character now and then.
        const cuts = Math.floor(rnd() * 3);
        for (let c = 0; c < cuts; c++) {
          const at = Math.floor(rnd() * frame.length);
          const what = rnd();
          if (what < 0.4) frame = frame.slice(0, at) + pick(SPICE) + frame.slice(at + 1);
          else if (what < 0.8) frame = frame.slice(0, at) + pick(SPICE) + frame.slice(at);
          else frame = frame.slice(0, at) + frame.slice(at + 1);
        }
        // Now and then seal a mangled body with a correct `^` checksum, so odd bodies reach the checksum's verdict too.
        if (rnd() < 0.3) {
          const body = frame.replace(/\r$/, '');
          frame = body + '^' + hex2(xorChecksum(body)) + '\r';
        }
        text += (rnd() < 0.2 ? 'noise\n' : '') + frame + (rnd() < 0.3 ? '\n' : '');
      }
      const bytes = Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; ) {
        const n = rnd() < 0.5 ? bytes.length - i : 1 + Math.floor(rnd() * 6);
        chunks.push(Uint8Array.from(bytes.slice(i, i + n)));
        i += n;
      }
      const size = rnd() < 0.8 ? 32 : 8 + Math.floor(rnd() * 40);
      const want = reference(bytes, size);
      expect(parsed(chunks, size)).toEqual(want);
      for (const e of want) {
        if (e.startsWith('frame')) frames++;
        else errors++;
      }
    }
    // The streams exercise both outcomes plentifully.
    expect(frames).toBeGreaterThan(400);
    expect(errors).toBeGreaterThan(300);
  });

  it('takes a string as the bytes of its characters', () => {
    const text = encode('OK', [3, 125], { seq: 0x2a }) + 'x$GS^31\r';
    expect(parsed([Uint8Array.from(Array.from(text, (c) => c.charCodeAt(0)))], 32)).toEqual(reference(Array.from(text, (c) => c.charCodeAt(0)), 32));
    const out: string[] = [];
    const p = new FrameParser({ onFrame: (f) => out.push(f.command), onError: (e) => out.push(e) });
    p.receive(text);
    expect(out).toEqual(['OK', 'checksum']);
  });
});

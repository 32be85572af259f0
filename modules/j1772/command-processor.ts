// The controller's side of RAPI: bytes in (from a UART or an in-process link),
// replies and asynchronous notifications ($AB boot, $AT state) out. Command
// semantics follow OpenEVSE 8.2.3's rapi_proc.cpp, RAPI protocol 5.2.1.

import type { ByteSink, Clock } from '../ports';
import { encode, encodeBytes, hex2, toBytes, type DecodeError, type Frame } from '../rapi/frame';
import { FrameParser } from '../rapi/parser';
import type { EvseController } from './controller';
import type { ControllerEvent } from './controller-options';
import { AT_VFLAGS, EvseState, FEATURE_LETTERS, VFlag } from './evse-state';
import { ACK_COOKIE } from './heartbeat';

export const RAPI_VERSION = '5.2.1';
/** OpenEVSE accepts at most this many tokens (command word included). */
export const MAX_TOKENS = 10;
/** $GP's stand-in for an absent sensor. */
export const NO_SENSOR = -2560;

export interface CommandProcessorOptions {
  controller: EvseController;
  /** Where replies and notifications go. */
  output: ByteSink;
  clock: Clock;
  /** $GI: six characters and four hex digits. */
  id?: string;
}

type Reply = { ok: boolean; params: (string | number)[] };

const OK: Reply = { ok: true, params: [] };
const NK: Reply = { ok: false, params: [] };

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** OpenEVSE prints state bytes with %02x: lower case. */
function state2(n: number): string {
  return hex2(n).toLowerCase();
}

/** A decimal integer parameter, or NaN. */
function int(text: string | undefined): number {
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : NaN;
}

/** Commands that take no parameter: any parameter is a malformed command ($NK). */
const NO_PARAMS = new Set([
  'F1', 'FD', 'FE', 'FR', 'FS',
  'G0', 'G3', 'GA', 'GC', 'GD', 'GE', 'GF', 'GG', 'GH', 'GI', 'GP', 'GS', 'GT', 'GU', 'GV', 'GY',
]);

const CR = 0x0d;
const LF = 0x0a;
const NO_OPTIONS = Object.freeze({});

export class CommandProcessor {
  readonly #controller: EvseController;
  readonly #output: ByteSink;
  readonly #clock: Clock;
  readonly #parser: FrameParser;
  readonly #id: string;
  /** The $AT last sent (state, pilot, amps, notified flags; -1 none), to send only changes: compared as numbers, as this runs every tick. */
  readonly #lastAt = [-1, -1, -1, -1];
  #busy = false;
  /** `$FF E 1`: received bytes are echoed and lines end CR LF (for a human at a terminal). */
  #echo = false;

  constructor(options: CommandProcessorOptions) {
    this.#controller = options.controller;
    this.#output = options.output;
    this.#clock = options.clock;
    this.#id = options.id ?? 'OPNEXS0001';
    // This processor is the parser's options and the controller's listener: its
    // callbacks are methods, not arrows holding a closure environment on the device's heap.
    this.#parser = new FrameParser(this);
    this.#controller.addListener(this);
  }

  /** The parser's: a valid frame received. */
  onFrame(frame: Frame): void {
    this.#execute(frame);
  }

  /** The parser's: a frame dropped. An overlong frame is dropped silently, as OpenEVSE does; anything else is refused. */
  onError(error: DecodeError): void {
    if (error !== 'overflow') this.#send('NK', []);
  }

  /** The controller's. */
  onControllerEvent(event: ControllerEvent): void {
    if (event === 'boot') this.#boot();
    else if (event === 'change' && !this.#busy) this.#notify();
    else if (event === 'wifi') this.#send('WF', ['02']);
    else if (event === 'press-short') this.#send('AN', [0]);
    else if (event === 'press-long') this.#send('AN', [1]);
  }

  /** RAPI bytes from the gateway. */
  receive(data: Uint8Array | string): void {
    if (!this.#echo) {
      this.#parser.receive(data);
      return;
    }
    // Byte by byte, so each character is echoed before a reply it completes.
    for (let i = 0; i < data.length; i++) {
      const b = typeof data === 'string' ? data.charCodeAt(i) & 0xff : data[i];
      this.#output.write(b === CR ? Uint8Array.of(CR, LF) : Uint8Array.of(b));
      this.#parser.receive(Uint8Array.of(b));
    }
  }

  /** The controller's real-time clock ($S1/$GT), as UTC fields of this Date value. */
  get rtc(): number {
    return this.#controller.rtc.now();
  }

  /** Echo mode ($FF E), volatile as in OpenEVSE. */
  get echo(): boolean {
    return this.#echo;
  }

  #boot(): void {
    this.#lastAt[0] = -1;
    this.#send('AB', [state2(this.#controller.state), this.#controller.firmware]);
    this.#notify();
  }

  /** Sends $AT when the state, pilot, current or a notified flag changed. */
  #notify(): void {
    const c = this.#controller;
    const state = c.state;
    if (state === EvseState.Unknown) return;
    const vflags = c.vflags;
    const connected = (vflags & VFlag.EvConnected) !== 0;
    // Transient combinations (the flag and the state are debounced apart) are not worth a message.
    if ((state === EvseState.A && connected) || ((state === EvseState.B || state === EvseState.C) && !connected)) return;
    const pilot = c.pilotState;
    const amps = c.pilotAmps;
    const notified = vflags & AT_VFLAGS;
    const last = this.#lastAt;
    if (last[0] === state && last[1] === pilot && last[2] === amps && last[3] === notified) return;
    last[0] = state;
    last[1] = pilot;
    last[2] = amps;
    last[3] = notified;
    this.#send('AT', [state2(state), state2(pilot), amps, hex4(vflags)]);
  }

  #execute(frame: Frame): void {
    let reply: Reply;
    this.#busy = true;
    try {
      const n = frame.params.length;
      reply = n + 1 > MAX_TOKENS || (n > 0 && NO_PARAMS.has(frame.command)) ? NK : this.#command(frame.command, frame.params);
    } finally {
      this.#busy = false;
    }
    // Too many tokens is refused before the sequence id is read, as OpenEVSE does: no echo.
    const seq = frame.params.length + 1 > MAX_TOKENS ? undefined : frame.seq;
    this.#send(reply.ok ? 'OK' : 'NK', reply.params, seq);
    this.#notify();
  }

  #send(word: string, params: readonly (string | number)[], seq?: number): void {
    // One write per frame, so nothing (an $AT) can land inside it.
    if (!this.#echo) this.#output.write(encodeBytes(word, params, seq === undefined ? NO_OPTIONS : { seq }));
    else this.#output.write(toBytes(encode(word, params, seq === undefined ? {} : { seq }) + '\n'));
  }

  #command(cmd: string, p: string[]): Reply {
    const c = this.#controller;
    const n = p.length;
    switch (cmd) {
      // --- Functions
      // There is no LCD: $F0, $FB, $FP and $S0 are checked and accepted for compatibility.
      case 'F0':
        return n === 1 && (p[0] === '0' || p[0] === '1') ? OK : NK;
      case 'FB': {
        const colour = int(p[0]);
        return n === 1 && colour >= 0 && colour <= 7 ? OK : NK;
      }
      case 'FP':
        return n >= 2 && int(p[0]) >= 0 && int(p[1]) >= 0 ? OK : NK;
      case 'F1':
        c.simulateButton();
        return OK;
      case 'FD':
        return c.disable() ? OK : NK;
      case 'FE':
        return c.enable() ? OK : NK;
      case 'FS':
        return c.sleep() ? OK : NK;
      case 'FR':
        c.reboot();
        return OK;
      case 'FF': {
        if (n !== 2 || (p[1] !== '0' && p[1] !== '1')) return NK;
        const letter = p[0].toUpperCase();
        if (letter === 'E') {
          // Volatile. OpenEVSE's `$FF E 0` turns echo on (reference §2.22 #1); here 0 is off.
          this.#echo = p[1] === '1';
          return OK;
        }
        const bit = FEATURE_LETTERS[letter];
        if (bit === undefined) return NK;
        c.setFeature(bit, p[1] === '1');
        return OK;
      }

      // --- Settings
      case 'S0':
        return n === 1 && (p[0] === '0' || p[0] === '1') ? OK : NK;
      case 'S1': {
        if (n !== 6) return NK;
        const [yy, mo, dd, hh, mm, ss] = p.map(int);
        return c.rtc.set({ yy, mo, dd, hh, mm, ss }) ? OK : NK;
      }
      case 'S3': {
        const v = int(p[0]);
        if (n !== 1 || !(v >= 0 && v <= 255)) return NK;
        return c.setTimeLimit(v) ? OK : NK;
      }
      case 'SH': {
        const v = int(p[0]);
        if (n !== 1 || !(v >= 0 && v <= 255)) return NK;
        return c.setEnergyLimit(v) ? OK : NK;
      }
      case 'SA': {
        const scale = int(p[0]);
        const offset = int(p[1]);
        if (n !== 2 || !(scale >= 0 && scale <= 65535) || !(Math.abs(offset) <= 32767)) return NK;
        c.setCalibration(scale, offset);
        return OK;
      }
      case 'SC': {
        const amps = int(p[0]);
        if (n < 1 || n > 2 || Number.isNaN(amps)) return NK;
        const mode = n === 1 ? 'save' : p[1].toUpperCase() === 'M' ? 'hardware' : 'volatile';
        const r = c.setCurrent(amps, mode);
        return { ok: r.ok, params: [r.amps] };
      }
      case 'SK': {
        const wh = int(p[0]);
        if (n !== 1 || !(wh >= 0)) return NK;
        c.setTotalEnergy(wh);
        return OK;
      }
      case 'SL': {
        if (n !== 1) return NK;
        const l = p[0].toUpperCase();
        if (l !== '1' && l !== '2' && l !== 'A') return NK;
        c.setServiceLevel(l === 'A' ? 'A' : l === '2' ? 2 : 1);
        return OK;
      }
      case 'ST': {
        const f = p.map(int);
        if (n !== 4 || f.some((x) => !(x >= 0))) return NK;
        return c.setTimer(f[0], f[1], f[2], f[3]) ? OK : NK;
      }
      case 'SV': {
        const mV = int(p[0]);
        if (n !== 1 || !(mV > 0 && mV <= 500_000)) return NK;
        c.setVoltage(mV);
        return OK;
      }
      case 'SY': {
        let ok: boolean;
        if (n === 0) ok = c.pulseHeartbeat();
        else if (n === 1) ok = int(p[0]) === ACK_COOKIE && c.acknowledgeHeartbeat();
        else if (n === 2) {
          const interval = int(p[0]);
          const amps = int(p[1]);
          ok = interval >= 0 && interval <= 65535 && amps >= 0 && amps <= 255;
          if (ok) c.configureHeartbeat(interval, amps);
        } else return NK;
        const h = c.heartbeat;
        return { ok, params: [h.interval, h.fallback, h.trigger] };
      }

      // --- Getters
      case 'G0':
        return { ok: true, params: [c.connection] };
      case 'G3':
        return { ok: true, params: [c.timeLimit] };
      case 'GA':
        return { ok: true, params: [c.settings.scale, c.settings.offset] };
      case 'GC': {
        const configured = c.serviceLevel === 2 ? c.settings.l2Amps : c.settings.l1Amps;
        return { ok: true, params: [c.minAmps, c.maxAmps, c.pilotAmps, configured] };
      }
      case 'GD':
        return { ok: true, params: [...c.settings.timer] };
      case 'GE':
        return { ok: true, params: [c.pilotAmps, hex4(c.settings.flags)] };
      case 'GF':
        return { ok: true, params: [c.settings.gfciTrips, c.settings.noGroundTrips, c.settings.stuckRelayTrips].map((x) => x.toString(16)) };
      case 'GG':
        return { ok: true, params: [c.milliamps, c.millivolts] };
      case 'GH':
        return { ok: true, params: [c.energyLimit] };
      case 'GI':
        return { ok: true, params: [this.#id] };
      case 'GP': {
        const t = c.temperatures;
        // OpenEVSE's order: DS3231 (RTC die), MCP9808 (ambient), TMP007 (IR).
        return { ok: true, params: [0, 1, 2].map((i) => t[i] ?? NO_SENSOR) };
      }
      case 'GS':
        return { ok: true, params: [state2(c.state), c.elapsedSeconds, state2(c.pilotState), hex4(c.vflags)] };
      case 'GT': {
        const t = c.rtc.fields();
        return { ok: true, params: [t.yy, t.mo, t.dd, t.hh, t.mm, t.ss] };
      }
      case 'GU':
        return { ok: true, params: [c.energy.sessionWs, c.energy.totalWh] };
      case 'GV':
        return { ok: true, params: [c.firmware, RAPI_VERSION] };
      case 'GY': {
        const h = c.heartbeat;
        return { ok: true, params: [h.interval, h.fallback, h.trigger] };
      }
      default:
        // Not implemented here: $S2 calibration mode, $S4 auth lock, $S5/$G5
        // Mennekes lock, $GO/$GM, $SM, $T0 (compiled out of stock 8.2.3 too).
        return NK;
    }
  }
}

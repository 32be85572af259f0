// OCPP-J message framing (OCPP 1.6 JSON, §4): every WebSocket text frame is a
// JSON array, a CALL [2, id, action, payload], a CALLRESULT [3, id, payload]
// or a CALLERROR [4, id, code, description, details]. Pure functions: the
// decoder turns anything else into a clear reason, never an exception, so a
// bad frame from a central system costs one CALLERROR and nothing more.

export type Payload = Record<string, unknown>;

export const MessageType = { Call: 2, CallResult: 3, CallError: 4 } as const;

/** The error codes OCPP-J 1.6 defines for a CALLERROR (its spelling of "Occurence" included). */
export const ErrorCode = {
  NotImplemented: 'NotImplemented',
  NotSupported: 'NotSupported',
  InternalError: 'InternalError',
  ProtocolError: 'ProtocolError',
  SecurityError: 'SecurityError',
  FormationViolation: 'FormationViolation',
  PropertyConstraintViolation: 'PropertyConstraintViolation',
  OccurenceConstraintViolation: 'OccurenceConstraintViolation',
  TypeConstraintViolation: 'TypeConstraintViolation',
  GenericError: 'GenericError',
} as const;
export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

export type Message =
  | { type: 2; id: string; action: string; payload: Payload }
  | { type: 3; id: string; payload: Payload }
  | { type: 4; id: string; code: string; description: string; details: Payload };

/** A message that could not be decoded; `id` is set when one could be read, so a CALLERROR can answer it. */
export interface BadFrame {
  error: string;
  code: ErrorCodeName;
  id?: string;
}

/** OCPP-J limits a unique id to 36 characters. */
const MAX_ID = 36;

function isObject(v: unknown): v is Payload {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function decode(text: string): Message | BadFrame {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { error: 'not JSON', code: ErrorCode.FormationViolation };
  }
  if (!Array.isArray(doc) || doc.length < 3) return { error: 'not an OCPP-J array', code: ErrorCode.FormationViolation };
  const [type, id] = doc;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) return { error: 'bad unique id', code: ErrorCode.FormationViolation };
  if (type === MessageType.Call) {
    if (doc.length !== 4 || typeof doc[2] !== 'string') return { error: 'a CALL is [2, id, action, payload]', code: ErrorCode.FormationViolation, id };
    if (!isObject(doc[3])) return { error: 'CALL payload must be an object', code: ErrorCode.FormationViolation, id };
    return { type: 2, id, action: doc[2], payload: doc[3] };
  }
  if (type === MessageType.CallResult) {
    if (doc.length !== 3 || !isObject(doc[2])) return { error: 'a CALLRESULT is [3, id, payload]', code: ErrorCode.FormationViolation, id };
    return { type: 3, id, payload: doc[2] };
  }
  if (type === MessageType.CallError) {
    if (doc.length !== 5 || typeof doc[2] !== 'string' || typeof doc[3] !== 'string') return { error: 'a CALLERROR is [4, id, code, description, details]', code: ErrorCode.FormationViolation, id };
    return { type: 4, id, code: doc[2], description: doc[3], details: isObject(doc[4]) ? doc[4] : {} };
  }
  return { error: `unknown message type ${JSON.stringify(type)}`, code: ErrorCode.ProtocolError, id };
}

export function isBadFrame(m: Message | BadFrame): m is BadFrame {
  return 'error' in m && !('type' in m);
}

export function encodeCall(id: string, action: string, payload: Payload): string {
  return JSON.stringify([MessageType.Call, id, action, payload]);
}

export function encodeResult(id: string, payload: Payload): string {
  return JSON.stringify([MessageType.CallResult, id, payload]);
}

export function encodeError(id: string, code: ErrorCodeName, description: string, details: Payload = {}): string {
  // The 1.6 schema for descriptions has no bound, but central systems log them: keep them short.
  return JSON.stringify([MessageType.CallError, id, code, description.slice(0, 255), details]);
}

/** The WebSocket URL as MicroOcpp forms it: the server URL, a `/` unless it ends in one, the charge box id. */
export function connectionUrl(server: string, chargeBoxId: string): string {
  return `${server}${server.endsWith('/') ? '' : '/'}${encodeURIComponent(chargeBoxId)}`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** UTF-8 bytes of a string (XS has no TextEncoder in every host). */
function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

export function base64(s: string): string {
  const b = utf8(s);
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
  }
  return out;
}

/** Security profile 1: HTTP Basic with the charge box id as user and the authorisation key as password. */
export function basicAuthorization(chargeBoxId: string, authKey: string): string | undefined {
  return authKey ? `Basic ${base64(`${chargeBoxId}:${authKey}`)}` : undefined;
}

/** OCPP date-times: UTC, ISO 8601 with milliseconds. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** ms since 1970 of an OCPP date-time, or NaN. */
export function parseTime(v: unknown): number {
  return typeof v === 'string' ? Date.parse(v) : NaN;
}

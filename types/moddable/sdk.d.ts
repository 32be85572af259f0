// The project's own declarations for the Moddable SDK, in one place.
//
// @moddable/typings (npm 5.6.0) and the SDK's own typings describe most of
// what the hosts use. Where they lack something, or disagree with the code
// that actually runs, the real shape is declared here and the host casts the
// SDK export to it once, at the import (`X as unknown as XClass`), so the same
// host source compiles against both the npm typings (CI) and the SDK 8.x
// typings (mcconfig), whatever either says.
//
// Each interface says which implementation it was read from.

import type { PinSpecifier } from 'embedded:io/_common';

/** Bytes a write takes. Declared here: the SDK 8.x typings' embedded:io/_common
 * has no `Buffer` (it uses the global `ByteBuffer`), @moddable/typings 5.6.0
 * has no `ByteBuffer`. */
type Buffer = ArrayBuffer | ArrayBufferView;

// ---------------------------------------------------------------------------
// embedded:network/http/server: examples/io/listener/httpserver/httpserver.js
// (absent from @moddable/typings 5.6.0).

export interface HttpServerRequestHead {
  method: string;
  /** The request target as sent: path and query string. */
  path: string;
  /** Header names in lower case. */
  headers: Map<string, string>;
}

export interface HttpServerResponseHead {
  status: number;
  /** Header names should be lower case: the server recognises "content-length" only so. */
  headers: Map<string, string | number>;
}

/** `this` inside the route callbacks: one request on one connection. */
export interface HttpServerConnection {
  accept(route: HttpServerRoute): void;
  /** Swaps the callbacks for the rest of this request (routing by path). */
  route?: HttpServerRoute;
  /** Body bytes; at most `count` of what onReadable announced. */
  read(count: number): ArrayBuffer | undefined;
  /** Sends the status line and headers; may be called later than onResponse. */
  respond(response: HttpServerResponseHead): void;
  /** Body bytes, at most the count onWritable announced; returns the space left, undefined when the socket's write failed. */
  write(data: Buffer): number | undefined;
  close(): void;
  /** Takes the socket away from the server (after a 101 response, in onDone): a new socket of its class. */
  detach(): unknown;
}

export interface HttpServerRoute {
  onRequest?(this: HttpServerConnection, request: HttpServerRequestHead): void;
  onReadable?(this: HttpServerConnection, count: number): void;
  onResponse?(this: HttpServerConnection, response: HttpServerResponseHead): void;
  onWritable?(this: HttpServerConnection, count: number): void;
  onDone?(this: HttpServerConnection): void;
  onError?(this: HttpServerConnection): void;
}

export interface HttpServerOptions {
  /** The listener class, normally embedded:io/socket/listener. */
  io: unknown;
  port?: number;
  onConnect(this: HttpServerInstance, connection: HttpServerConnection): void;
}

export interface HttpServerInstance {
  close(): void;
}

export interface HttpServerClass {
  new (options: HttpServerOptions): HttpServerInstance;
}

// ---------------------------------------------------------------------------
// embedded:network/mqtt/client: examples/io/tcp/mqttclient/mqttclient.js.
// The typing has onControl(opcode, message) where the code calls
// onControl(message); it spells the keep-alive `keepAlive` where the code
// reads `keepalive`; and its write() does not admit null data for control
// operations.

export interface MqttControlMessage {
  /** MqttClientClass.CONNACK, SUBACK, … */
  operation: number;
  id?: number;
  returnCode?: number;
}

export interface MqttReadableInfo {
  /** More fragments of this message follow. */
  more: boolean;
  /** Present on the first fragment of a message only. */
  topic?: string;
  QoS?: number;
  /** Whole payload length; present on the first fragment only. */
  byteLength?: number;
}

export interface MqttClientOptions {
  host: string;
  port?: number;
  id?: string;
  user?: string;
  password?: string;
  clean?: boolean;
  /** Milliseconds; the client sends whole seconds in CONNECT. */
  keepalive?: number;
  will?: { topic: string; message: string | ArrayBuffer; QoS?: number; retain?: boolean };
  /** Always used, even for an IP literal. */
  dns: { io: unknown; [option: string]: unknown };
  socket: { io: unknown; [option: string]: unknown };
  onControl?(this: MqttClientInstance, message: MqttControlMessage): void;
  onReadable?(this: MqttClientInstance, count: number, info: MqttReadableInfo): void;
  onWritable?(this: MqttClientInstance, count: number): void;
  /** Called for every failure, including the peer closing the socket; the client then closes itself. */
  onError?(this: MqttClientInstance): void;
}

export interface MqttWriteOptions {
  topic?: string;
  QoS?: number;
  retain?: boolean;
  byteLength?: number;
  operation?: number;
  items?: { topic: string; QoS?: number }[];
}

export interface MqttClientInstance {
  /** Throws when the frame does not fit the space announced by onWritable, or before CONNACK. */
  write(data: Buffer | null, options?: MqttWriteOptions): number;
  read(count: number): ArrayBuffer | undefined;
  close(): void;
}

export interface MqttClientClass {
  new (options: MqttClientOptions): MqttClientInstance;
  readonly CONNACK: 2;
  readonly SUBSCRIBE: 8;
  readonly SUBACK: 9;
  readonly PINGREQ: 12;
  readonly DISCONNECT: 14;
}

// ---------------------------------------------------------------------------
// ESP32-only IO options (modules/io/pwm/esp32, modules/io/analog/esp32),
// absent from the typings.

export interface Esp32PwmOptions {
  pin: PinSpecifier;
  hz?: number;
  /** LEDC resolution in bits (default 10). */
  resolution?: number;
  /** LEDC timer. */
  port?: number;
}

export interface Esp32PwmInstance {
  readonly resolution: number;
  readonly hz: number;
  write(value: number): void;
  close(): void;
}

export interface Esp32PwmClass {
  new (options: Esp32PwmOptions): Esp32PwmInstance;
}

// ---------------------------------------------------------------------------
// embedded:io/serial on Linux (modules/io/serial/lin) names a device instead
// of pins and a UART port.

export interface LinuxSerialOptions {
  device: string;
  baud: number;
  format?: 'buffer' | 'number';
  onReadable?: (this: unknown, count: number) => void;
  onWritable?: (this: unknown, count: number) => void;
}

// crypt: modules/crypt/digest (Digest, as the SDK's own WebSocket handshake uses it).
export interface DigestInstance {
  write(message: string | ArrayBuffer): void;
  close(): ArrayBuffer;
}
export type DigestClass = new (type: 'SHA1' | 'SHA256') => DigestInstance;

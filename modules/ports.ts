// The boundary between the portable core and a host (Node, Moddable device,
// Moddable simulator, tests). A host implements these small interfaces and does
// translation only; every decision lives in the core.
//
// Conventions, after ECMA-419: a port is an object the host hands to the core.
// Events flow the other way as method calls on core objects (for example the
// host's UART adapter calls `client.receive(bytes)`), so a test can drive the
// core step by step without any callbacks to fake.

/** Monotonic and wall time. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes backwards. */
  now(): number;
  /** UTC milliseconds since 1970 (may be wrong until the host has synced time). */
  wall(): number;
}

export type TimerId = unknown;

/** Timers in the shape of Moddable's `timer` module. */
export interface Timers {
  /** Calls `callback` once after `ms`. */
  set(callback: () => void, ms: number): TimerId;
  /** Calls `callback` every `ms`. */
  repeat(callback: () => void, ms: number): TimerId;
  clear(id: TimerId): void;
}

/** The sending half of a byte stream (a UART, a pseudo-terminal, an in-process link). */
export interface ByteSink {
  write(bytes: Uint8Array): void;
}

/**
 * Persistent key-value store (Moddable Preference, a file on Node). Each
 * `write` of one key is atomic: after a power loss the key holds the old or
 * the new value, never a mix. Values are strings; callers serialise.
 */
export interface Storage {
  read(key: string): string | undefined;
  write(key: string, value: string): void;
  remove(key: string): void;
}

export interface Logger {
  log(line: string): void;
}

// ---------------------------------------------------------------------------
// Controller hardware (J1772 side)

/** The control pilot generator: ±12 V steady or a 1 kHz PWM. */
export interface PilotOutput {
  /** PWM resolution in bits (ESP32 LEDC: 10–14). Duty counts are 0 … 2^resolution. */
  readonly resolution: number;
  /** PWM frequency in Hz (J1772: 1000). */
  readonly frequency: number;
  /** Steady +12 V (state A/B detection without offering current). */
  high(): void;
  /** Steady −12 V (disabled / fault). */
  low(): void;
  /** PWM with `count` of 2^resolution high. */
  pwm(count: number): void;
}

/** Pilot voltage as seen over the last sampling window (at least a few PWM periods). */
export interface PilotReading {
  /** Most positive voltage seen, volts. */
  high: number;
  /** Most negative voltage seen, volts. */
  low: number;
}

export interface PilotSampler {
  read(): PilotReading;
}

export interface RelayOutput {
  /** true closes the contactor (power to the EV). */
  set(closed: boolean): void;
}

/** AC-sense opto inputs downstream of the relay: which lines carry voltage. */
export interface AcSense {
  read(): { line1: boolean; line2: boolean };
}

/**
 * The GFCI (CCID) sensor. The host must also deliver the rising edge as an
 * event (`controller.gfciTripped()`), so the relay opens from the edge itself.
 */
export interface GfciInput {
  /** true while the sensor reports a ground fault. */
  read(): boolean;
}

/** The GFCI self-test winding: driving it must make a healthy sensor trip. */
export interface GfciTestOutput {
  set(on: boolean): void;
}

/** The current transformer on an ADC. */
export interface CurrentSampler {
  /** Samples per second. */
  readonly rate: number;
  /** ADC resolution in bits; mid-scale (2^(bits−1)) is 0 A. */
  readonly bits: number;
  /** Fills `into` with consecutive raw samples; returns how many were written. */
  sample(into: Uint16Array): number;
}

/**
 * The front-panel button's level, sampled by the controller on each tick so
 * that it can time a press (short, long, 10 s). Hosts that only see press
 * edges may call `controller.button()` instead (a short press).
 */
export interface ButtonInput {
  /** true while held down. */
  read(): boolean;
}

/** Temperature sensors in tenths of a degree Celsius; null where a sensor is absent. */
export interface TemperatureSensors {
  read(): readonly (number | null)[];
}

// ---------------------------------------------------------------------------
// Gateway networking

export interface HttpRequest {
  method: string;
  /** Path without the query string, e.g. "/status". */
  path: string;
  /** Decoded query parameters; a parameter present with no value maps to "". */
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** The peer, for logs only. */
  remote?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export interface MqttConnectOptions {
  /** "mqtt" or "mqtts". */
  protocol: 'mqtt' | 'mqtts';
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  keepalive: number;
  rejectUnauthorized: boolean;
  will?: { topic: string; payload: string; retain: boolean; qos: 0 | 1 };
}

export interface MqttEvents {
  onConnect(): void;
  onMessage(topic: string, payload: string): void;
  /** The connection ended or could not be made; the core decides when to retry. */
  onClose(reason: string): void;
}

export interface MqttSession {
  publish(topic: string, payload: string, options: { retain: boolean; qos: 0 | 1 }): void;
  /** `onRefused` is told when the broker refuses the subscription (SUBACK 0x80) or it fails. */
  subscribe(topic: string, onRefused?: (reason: string) => void): void;
  close(): void;
}

/** Opens one MQTT connection; the host's client must not reconnect by itself. */
export type MqttConnect = (options: MqttConnectOptions, events: MqttEvents) => MqttSession;

// ---------------------------------------------------------------------------
// WebSocket client (OCPP-J)

export interface WebSocketConnectOptions {
  /** ws:// or wss:// URL. */
  url: string;
  /** Subprotocols offered in Sec-WebSocket-Protocol, e.g. ["ocpp1.6"]. */
  protocols: string[];
  /** Extra request headers (Authorization for OCPP security profile 1). */
  headers: Record<string, string>;
  /** wss: refuse a server certificate that does not verify (default true). */
  rejectUnauthorized?: boolean;
  /** wss: PEM of the CA to trust instead of the host's store. */
  ca?: string;
}

export interface WebSocketEvents {
  /** The handshake completed; `protocol` is the subprotocol the server chose ("" if none). */
  onOpen(protocol: string): void;
  /** One text frame. */
  onMessage(text: string): void;
  /** The connection ended or could not be made; the core decides when to retry. */
  onClose(reason: string): void;
}

export interface WebSocketSession {
  send(text: string): void;
  close(): void;
}

/** Opens one WebSocket client connection; the host must not reconnect by itself. */
export type WebSocketConnect = (options: WebSocketConnectOptions, events: WebSocketEvents) => WebSocketSession;

// ---------------------------------------------------------------------------
// Load sharing between chargers (modules/energy/group); peers' /ws streams use WebSocketConnect.

/** DNS-SD on the LAN (`_openevse._tcp`): finds peers, and announces this charger. */
export interface ServiceDiscovery {
  /** Calls `onFound` for each instance seen ("host:port" and its TXT record). */
  browse(onFound: (address: string, txt: Record<string, string>) => void): { stop(): void };
}

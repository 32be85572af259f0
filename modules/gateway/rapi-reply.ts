// What a RAPI command comes back as: the controller's reply (a frame, `$OK`
// or `$NK` with its parameters) or the client's failure, named as OpenEVSE's
// RapiSender and its HTTP API name them.

import { encode } from '../rapi/frame';

/** Failure names as OpenEVSE's RapiSender and its HTTP API spell them. */
export type RapiError =
  | 'RAPI_RESPONSE_TIMEOUT'
  | 'RAPI_RESPONSE_QUEUE_FULL'
  | 'RAPI_RESPONSE_CMD_TOO_LONG'
  | 'RAPI_RESPONSE_INVALID_COMMAND'
  | 'RAPI_RESPONSE_CLOSED';

export interface RapiReply {
  ok: boolean;
  params: string[];
  /** The reply frame as received, from `$` to the checksum, without the CR. */
  raw: string;
  /**
   * The reply as it reads without a sequence id (re-checksummed if it had
   * one): what /r and MQTT hand to clients, which split it on spaces.
   */
  text: string;
}

export type RapiResult = RapiReply | { error: RapiError };

export function isReply(r: RapiResult): r is RapiReply {
  return !('error' in r);
}

/**
 * A reply that carried a sequence id: its `text` (the reply re-checksummed
 * without the id) is worked out when first read, an own property like any
 * other. Only /r and MQTT read it, and encoding every poll's reply again
 * cost as much as parsing it.
 */
export function sequencedReply(ok: boolean, params: string[], raw: string): RapiReply {
  let text: string | undefined;
  return {
    ok,
    params,
    raw,
    get text(): string {
      return (text ??= encode(ok ? 'OK' : 'NK', params).slice(0, -1));
    },
  };
}

/** What a controller answers to a frame with a wrong checksum or sequence id. */
export function refused(): RapiReply {
  const text = encode('NK', []).slice(0, -1);
  return { ok: false, params: [], raw: text, text };
}

// What a frame from a controller means to the gateway: the reply to the
// command in flight, or an asynchronous notification that must never be taken
// for one.

import type { Frame } from './frame';

export type AsyncType = 'AT' | 'AB' | 'AN' | 'WF' | 'ST';

export type Message =
  | { kind: 'reply'; ok: boolean; params: string[]; seq?: number }
  | { kind: 'async'; type: AsyncType; params: string[] }
  /** Anything else a controller should not send (a command, an unknown word). */
  | { kind: 'other'; command: string; params: string[] };

/**
 * Async notifications: `$AT` state transition, `$AB` boot, `$AN` button,
 * `$WF` Wi-Fi mode request, and the pre-5.0 `$ST state` (one parameter; the
 * four-parameter `$ST` is the delay-timer command).
 */
export function isAsync(frame: Frame): boolean {
  switch (frame.command) {
    case 'AT':
    case 'AB':
    case 'AN':
    case 'WF':
      return true;
    case 'ST':
      return frame.params.length <= 1;
    default:
      return false;
  }
}

export function interpret(frame: Frame): Message {
  if (frame.command === 'OK' || frame.command === 'NK') {
    const m: Message = { kind: 'reply', ok: frame.command === 'OK', params: frame.params };
    if (frame.seq !== undefined) m.seq = frame.seq;
    return m;
  }
  if (isAsync(frame)) return { kind: 'async', type: frame.command as AsyncType, params: frame.params };
  return { kind: 'other', command: frame.command, params: frame.params };
}

/** The reply text without checksum, as the HTTP /r endpoint shows it: "$OK 03 125". */
export function replyText(m: { ok: boolean; params: readonly string[] }): string {
  return (m.ok ? '$OK' : '$NK') + (m.params.length ? ' ' + m.params.join(' ') : '');
}

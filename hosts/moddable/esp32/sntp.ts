// Wall time from SNTP (the SDK's `sntp` module): one request per call, the
// result sets the system clock, which Date.now() and so Clock.wall() follow.

import SNTP from 'sntp';
import Time from 'time';

export interface SntpResult {
  ok: boolean;
  /** The time received, UTC seconds (when ok). */
  seconds?: number;
}

export function syncTime(host: string, done?: (result: SntpResult) => void): void {
  try {
    new SNTP({ host }, (message, value) => {
      if (message === SNTP.time && value !== undefined) {
        Time.set(value);
        done?.({ ok: true, seconds: value });
      } else if (message === SNTP.error) done?.({ ok: false });
      // SNTP.retry: the module tries again by itself
    });
  } catch {
    done?.({ ok: false });
  }
}

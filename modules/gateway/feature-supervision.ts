// Heartbeat supervision as the features need it (load sharing,
// supervision.ts): what the controller is to keep (the `heartbeat_*`
// settings, or stricter), and what happens around the acknowledgement of a
// missed pulse, which restores the controller's configured current: a
// feature that supervises must never see it.

import type { Gateway } from './gateway';
import { callEach } from './feature';
import { strictest, Supervision, type HeartbeatSetting } from './supervision';

/** The supervision the controller is to keep: the `heartbeat_*` settings, or stricter if a feature needs it. */
export function heartbeatSetting(g: Gateway): HeartbeatSetting {
  const own = { interval: g.config.get('heartbeat_interval'), current: g.config.get('heartbeat_current') };
  return strictest(own, g.features.map((f) => f.heartbeat?.()));
}

/** Supervision, when a feature needs it; undefined when none does (the monitor pulses then). */
export function featureSupervision(g: Gateway, log: (line: string) => void): Supervision | undefined {
  if (!g.features.some((f) => f.heartbeat !== undefined)) return undefined;
  g.monitor.supervised = true;
  return new Supervision({
    client: g.client,
    timers: g.timers,
    wanted: () => heartbeatSetting(g),
    ready: () => g.monitor.ready,
    log,
    // Between claims passes. A feature that supervises (load sharing) must never see the
    // configured current the acknowledgement restores: the controller is paused first, and the
    // pass after writes the current before it wakes it (charge-target.ts).
    // It wakes the controller after unless a claim pauses it, or it slept before the miss (one
    // whose fallback is under 6 A slept because of the miss: that one is woken too).
    recover: (acknowledge) => {
      const pause = g.features.some((f) => f.heartbeat?.());
      const state = g.monitor.snapshot.state;
      const wasActive = (state !== 254 && state !== 255) || heartbeatSetting(g).current < 6;
      return g.arbiter.between(async () => {
        callEach(g.features, g, (f) => f.heartbeatMissed?.());
        if (pause) await g.client.send('FS', [], 'claims');
        await acknowledge();
        await g.monitor.read('GE', 'GS');
      }, pause && wasActive);
    },
  });
}

/** Settings changed: supervision sends what it now wants; without it the `heartbeat_*` settings go to the controller as they are. */
export function heartbeatConfigChanged(g: Gateway, keys: readonly string[]): void {
  if (g.supervision) g.supervision.beat();
  else if (keys.some((k) => k === 'heartbeat_interval' || k === 'heartbeat_current')) {
    void g.client.send('SY', [g.config.get('heartbeat_interval'), g.config.get('heartbeat_current')], 'config');
  }
}

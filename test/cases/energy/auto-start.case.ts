// A load-sharing member's controller must not offer current at power-on
// before its gateway has a share: with auto-start off (`$FF S 0`, persisted)
// it comes up asleep even with an EV plugged in, and offers only after `$FE`.
import { describe, expect, it } from '../harness';
import { bootedStation, makeStation } from '../j1772/station-fixture';
import { EvseState } from '../../../modules/j1772/evse-state';
import { standalone } from '../gateway/standalone';
import { MemoryStorage } from '../gateway/fixtures';
import { STANDARD_FEATURES } from '../../../modules/gateway/features/standard';
import { loadSharingFeature } from '../../../modules/gateway/features/load-sharing';

describe('auto-start off', () => {
  it('$FF S 0 is persisted; after a power cycle with the EV plugged in, the pilot never offers until $FE', () => {
    const f = bootedStation();
    expect(f.rapi('FF S 0').command).toBe('OK');
    const g = makeStation({}, f.storage);
    g.station.ev.plug();
    g.station.start();
    let max = 0;
    for (let t = 0; t < 8000; t++) {
      g.clock.advance(1);
      max = Math.max(max, g.station.pilot.offer);
    }
    expect(max).toBe(0);
    expect(g.station.controller.state).toBe(EvseState.Sleeping);
    expect(g.rapi('FE').command).toBe('OK');
    g.clock.advanceUntil(() => g.station.pilot.offer > 0, 5000);
    expect(g.station.pilot.offer).toBeGreaterThanOrEqual(6);
  });

  it('a gateway in a load-sharing group turns auto-start off in its controller within seconds', async () => {
    const storage = new MemoryStorage();
    storage.write('config', JSON.stringify({ v: 1, config_version: 1, values: { group_enabled: true, group_key: 'k', group_limit: 20, group_size: 4 } }));
    const g = standalone({ storage, features: [...STANDARD_FEATURES, loadSharingFeature()] });
    await g.run(3000);
    expect(g.station.controller.settings.flags & 0x0040).toBe(0x0040);
  });
});

// The parts a controller is made of, made from its options and wired to one
// another: the fault supervisor with its checks and retry policy, the GFCI
// self test, the relay, the settings, the current offer, the session and the
// charging current, all sharing one Sense (faults.ts) in which each keeps
// its own fields. Options that would break a safety timing are refused here.

import type { ControllerOptions } from './controller-options';
import { ChargingCurrent } from './charging-current';
import { DEBOUNCE_DOWN_MS, POWER_OFF_MS, worstPowerOffMs } from './debounce';
import { FaultSupervisor, restingSense, RetryPolicy, type Sense } from './faults';
import { GfciSelfTest } from './gfci';
import { CurrentOffer } from './offer';
import { PeriodicChecks } from './periodic-checks';
import { MAX_AMPS, MIN_AMPS } from './pilot';
import { Relay } from './relay';
import { ChargeSession } from './session';
import { SettingsStore } from './settings';

export interface ControllerParts {
  /** Control loop period, ms. */
  tickMs: number;
  retry: RetryPolicy;
  faults: FaultSupervisor;
  /** What the periodic checks look at: the relay, the offer, the current and the self test keep their fields of it. */
  sense: Sense;
  selfTest: GfciSelfTest;
  relay: Relay;
  settings: SettingsStore;
  offer: CurrentOffer;
  session: ChargeSession;
  current: ChargingCurrent;
}

export function controllerParts(options: ControllerOptions): ControllerParts {
  const tickMs = options.tickMs ?? 10;
  const worstPowerOff = worstPowerOffMs(tickMs);
  if (!(tickMs > 0) || worstPowerOff > POWER_OFF_MS) {
    throw new RangeError(`tickMs ${tickMs} would leave power on up to ${worstPowerOff} ms after the EV stops (limit ${POWER_OFF_MS} ms, debounce ${DEBOUNCE_DOWN_MS} ms)`);
  }
  const boardMaxAmps = options.maxAmps ?? MAX_AMPS;
  if (boardMaxAmps < MIN_AMPS || boardMaxAmps > MAX_AMPS) throw new RangeError(`maxAmps must be ${MIN_AMPS}–${MAX_AMPS}`);

  // The periodic checks (GFCI level, ground, stuck relay, over-current, over-temperature; the first to fail wins) in one pass.
  const checks = new PeriodicChecks({ overCurrent: options.overCurrent });
  const retry = new RetryPolicy({ delayMs: options.retryDelayMs, count: options.retryCount });
  const sense = restingSense();
  const settings = new SettingsStore(options.storage);
  const { scale, offset } = settings.values;
  return {
    tickMs,
    retry,
    faults: new FaultSupervisor(checks, retry),
    sense,
    selfTest: new GfciSelfTest(options.gfci, options.gfciTest, sense),
    relay: new Relay(options.relay, options.clock, sense),
    settings,
    offer: new CurrentOffer({ pilot: options.pilot, settings, boardMaxAmps, thermal: options.thermal, now: options.clock.now(), sense }),
    session: new ChargeSession({ settings, saveEveryWh: options.energySaveWh }),
    current: new ChargingCurrent({
      sampler: options.current, scale, offset, block: options.ammeterBlock ?? 8, intervalMs: options.ammeterIntervalMs ?? 100, sense,
    }),
  };
}

// The charger as OCPP sees it, read from the gateway's controller snapshot:
// plugged or not, the EVSE state, the energy register, power, current,
// voltage, temperature. The controller adds a session's energy to its lifetime
// total only when the session ends, so the register is the total plus the open
// session, and never runs backwards while the two catch up.

import type { EvseSnapshot } from '../gateway/evse-snapshot';
import { EvseState, VFlag } from '../j1772/evse-state';
import type { ChargerReading } from './connector-status';

export class EvseReading {
  #register = 0;

  read(s: Readonly<EvseSnapshot>, volts: number): ChargerReading {
    const plugged = (s.vflags & VFlag.EvConnected) !== 0 || s.state === EvseState.B || s.state === EvseState.C;
    const register = s.whTotal + (plugged ? s.wattsec / 3600 : 0);
    if (register > this.#register) this.#register = register;
    const amps = s.amp / 1000;
    let temp: number | undefined;
    for (const t of s.temps) if (t !== null && temp === undefined) temp = t / 10;
    return {
      state: s.state,
      plugged,
      energyWh: this.#register,
      powerW: amps * volts,
      currentA: amps,
      offeredA: s.state === EvseState.Sleeping || s.state === EvseState.Disabled ? 0 : s.pilot,
      voltageV: volts,
      temperatureC: temp,
    };
  }
}

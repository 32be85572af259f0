// The ESP32: the board's pins through ECMA-419 IO, Wi-Fi with onboarding,
// SNTP, `/ws`, and the system's restart and heap figures.

import Instrumentation from 'instrumentation';
import Net from 'net';
import type { Clock, Timers } from '../../../modules/ports';
import type { Board, UartPins } from '../board';
import { ButtonPin } from './button';
import { AdcCurrentSampler } from './current';
import { GfciSensePin, GfciTestPin } from './gfci';
import { Onboarding } from '../onboarding';
import { AdcPilotSampler, PwmPilot } from './pilot';
import type { ControllerHardware, HardwareEvents, NetworkControl, Platform } from '../platform';
import { AcSensePins, RelayPin } from './relay';
import { UartLink } from '../serial';
import { syncTime } from './sntp';
import { NtcSensors } from './temperature';
import { EspWifi } from './wifi';
import { webSocketUpgrade } from '../ws';

function hardware(board: Board, events: HardwareEvents): ControllerHardware {
  const pilot = new PwmPilot({ pin: board.pilot.out, resolution: board.pilot.resolution, hz: 1000 });
  const sampler = new AdcPilotSampler({ pin: board.pilot.sense, calibration: board.pilot.calibration, windowUs: board.pilot.windowUs });
  const gfci = new GfciSensePin({ pin: board.gfci.sense, onTrip: () => events.gfciTripped() });
  return {
    // Polled by the controller each tick, so long and 10-second presses are timed too.
    button: new ButtonPin({ pin: board.button.pin, activeLow: board.button.activeLow }),
    pilot,
    pilotSampler: sampler,
    relay: new RelayPin(board.relay),
    acSense: new AcSensePins(board.acSense),
    gfci,
    gfciTest: new GfciTestPin({ pin: board.gfci.test }),
    current: new AdcCurrentSampler({ pin: board.current.pin, rate: board.current.rate }),
    temperatures: new NtcSensors({ ...board.temperature, fullScale: board.adcFullScale }),
  };
}

function network(options: { apSsid: string; apPass: string; clock: Clock & Timers }): NetworkControl {
  const radio = new EspWifi(options);
  const onboarding = new Onboarding({ radio, timers: options.clock, clock: options.clock });
  const control: NetworkControl = {
    start: (ssid, pass) => onboarding.start(ssid, pass),
    join: (ssid, pass) => onboarding.join(ssid, pass),
    apOff: () => onboarding.apOff(),
    scan: () => radio.scan(),
    state: () => ({
      mode: onboarding.mode,
      wifi_client_connected: onboarding.connected ? 1 : 0,
      eth_connected: 0,
      ipaddress: onboarding.connected ? onboarding.address : onboarding.accessPoint ? '192.168.4.1' : '',
      srssi: onboarding.connected ? radio.rssi() : 0,
    }),
  };
  radio.events = {
    stationUp(address) {
      onboarding.stationUp(address);
      control.onOnline?.();
    },
    stationDown() {
      onboarding.stationDown();
    },
  };
  return control;
}

function instrument(name: 'System Free Memory'): number {
  return Instrumentation.get(Instrumentation.map(name)) ?? 0;
}

export const platform: Platform = {
  name: 'esp32',
  deviceId: () => (Net.get('MAC') ?? '').replace(/:/g, '').toLowerCase() || '000000000000',
  hardware,
  uart: (pins: UartPins) => new UartLink(pins),
  network,
  syncTime: (host) => syncTime(host),
  restart: () => System.restart(),
  // 4 clients, measured on the ESP32 profile (docs/moddable.md, "/ws on the device").
  webSocket: webSocketUpgrade,
  // Instrumentation counts are filled in -d and -i builds only; a release
  // build reports 0. The minimum is kept by main.ts: this module is preloaded
  // (frozen), so it holds no state.
  heap: () => ({ free_heap: instrument('System Free Memory'), largest_free_block: 0, min_free_heap: 0 }),
};

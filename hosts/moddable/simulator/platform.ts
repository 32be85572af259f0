// The Moddable desktop simulator (mcsim on Linux, macOS, Windows): no pins, so
// the controller runs on the sim/ models; the host OS owns the network and
// the clock.

import type { Platform } from '../platform';
import { UartLink, type UartOptions } from '../serial';

export const platform: Platform = {
  name: 'simulator',
  hardwareKind: 'sim',
  deviceId: () => '5e0000000001',
  uart: (options: UartOptions) => new UartLink(options),
  restart: () => {
    throw new Error('restart: quit and relaunch the simulator');
  },
  // The simulator's process heap says nothing about the device's.
  heap: () => ({ free_heap: 0, largest_free_block: 0, min_free_heap: 0 }),
};

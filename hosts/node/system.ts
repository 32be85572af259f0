// The gateway's SystemPort on a PC or Raspberry Pi: network and memory facts
// from the OS; restart and Wi-Fi actions are the CLI's to provide.

import { hostname, networkInterfaces } from 'node:os';
import type { SystemPort } from '../../modules/gateway/gateway';
import type { HeapInfo, NetworkInfo } from '../../modules/gateway/status';

export function firstAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function nodeSystem(overrides: Partial<SystemPort> & { ipaddress?: string } = {}): SystemPort {
  let minFree = Infinity;
  const heap = (): HeapInfo => {
    const m = process.memoryUsage();
    const free = Math.max(0, m.heapTotal - m.heapUsed);
    minFree = Math.min(minFree, free);
    return { free_heap: free, largest_free_block: free, min_free_heap: minFree };
  };
  const network = (): NetworkInfo => ({ mode: 'Wired', wifi_client_connected: 0, eth_connected: 1, ipaddress: overrides.ipaddress ?? firstAddress(), srssi: 0 });
  return { heap, network, scan: () => [], names: () => [hostname()], ...overrides };
}

// The ESP32 Wi-Fi radio over the SDK's `wifi` and `net` modules: the station,
// the onboarding access point and scans. Decisions (when the access point is
// on) are in ./onboarding; this file only drives the radio and reports.

import WiFi from 'wifi';
import Net from 'net';
import type { WifiRadio } from '../onboarding';
import type { NetworkScanEntry } from '../platform';

/** The fields of /scan (seed 000); OpenEVSE reports ESP-IDF's wifi_auth_mode_t as `secure`. */
export type ScanEntry = NetworkScanEntry;

/** The SDK names the auth modes; ESP-IDF numbers them (wifi_auth_mode_t). */
const AUTH: Record<string, number> = {
  none: 0,
  wep: 1,
  wpa_psk: 2,
  wpa2_psk: 3,
  wpa_wpa2_psk: 4,
  wpa2_enterprise: 5,
  wpa3_psk: 6,
  wpa2_wpa3_psk: 7,
};

export interface StationEvents {
  stationUp(address: string): void;
  stationDown(): void;
}

export interface EspWifiOptions {
  /** Access point name, e.g. "OpenEVSE_1a2b3c" (seed 000: the last six hex digits of the MAC). */
  apSsid: string;
  /** WPA2 passphrase of the access point (seed 000: "openevse"); "" for an open one. */
  apPass?: string;
}

export class EspWifi implements WifiRadio {
  events?: StationEvents;
  readonly #apSsid: string;
  readonly #apPass: string;
  #station?: WiFi;
  #ap = false;

  constructor(options: EspWifiOptions) {
    this.#apSsid = options.apSsid;
    this.#apPass = options.apPass ?? '';
  }

  connect(ssid: string, pass: string): void {
    this.#station?.close();
    this.#station = new WiFi({ ssid, password: pass || undefined }, (message) => {
      if (message === WiFi.gotIP) this.events?.stationUp(Net.get('IP'));
      else if (message === WiFi.disconnected || message === WiFi.lostIP) this.events?.stationDown();
    });
  }

  disconnect(): void {
    this.#station?.close();
    this.#station = undefined;
    WiFi.disconnect();
  }

  accessPoint(on: boolean): void {
    if (on === this.#ap) return;
    this.#ap = on;
    if (on) {
      // `station: true` keeps the station running beside the access point (STA+AP); the typing lacks it.
      const options = { ssid: this.#apSsid, password: this.#apPass || undefined, station: true };
      WiFi.accessPoint(options as Parameters<typeof WiFi.accessPoint>[0]);
    } else WiFi.mode = WiFi.Mode.station;
  }

  scan(): Promise<ScanEntry[]> {
    return new Promise((resolve) => {
      const found: ScanEntry[] = [];
      WiFi.scan({}, (item) => {
        if (!item) return resolve(found);
        const extra = item as typeof item & { channel?: number; hidden?: boolean };
        found.push({
          rssi: item.rssi,
          ssid: item.ssid,
          bssid: macText(item.bssid),
          channel: extra.channel ?? 0,
          secure: AUTH[item.authentication] ?? 0,
          hidden: extra.hidden ?? item.ssid === '',
        });
      });
    });
  }

  /** Received signal strength of the station link, dBm (0 when not connected). */
  rssi(): number {
    return Net.get('RSSI') ?? 0;
  }

  mac(): string {
    return Net.get('MAC') ?? '';
  }
}

function macText(bssid: ArrayBuffer): string {
  return Array.from(new Uint8Array(bssid), (b) => b.toString(16).padStart(2, '0')).join(':');
}

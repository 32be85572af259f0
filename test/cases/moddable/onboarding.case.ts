// Wi-Fi onboarding on the device: the access point of seed 000 ("After
// connecting to OpenEVSE_XXXXXX in Access Point Mode a network scan may be
// performed…") is there whenever the charger has no working network, and only
// then; the station keeps trying the saved network.
import { describe, it, expect } from '../harness';
import { Onboarding } from '../../../hosts/moddable/onboarding';
import { VirtualClock } from '../../../sim/clock';
import { SimWifiRadio } from '../../../sim/wifi';

function fixture() {
  const clock = new VirtualClock();
  const radio = new SimWifiRadio({ timers: clock, joinMs: 3000 });
  const wifi = new Onboarding({ radio, timers: clock, clock, joinTimeoutMs: 30000, apLingerMs: 60000, retryMs: 10000 });
  radio.events = wifi;
  return { clock, radio, wifi };
}

describe('moddable Wi-Fi onboarding', () => {
  it('opens the access point at once when no network is saved', () => {
    const { radio, wifi } = fixture();
    wifi.start('', '');
    expect(radio.accessPointOn).toBe(true);
    expect(wifi.mode).toBe('AP');
    expect(radio.attempts).toBe(0);
  });

  it('joins a saved, reachable network without ever opening the access point', () => {
    const { clock, radio, wifi } = fixture();
    radio.networks.set('home', 'secret');
    wifi.start('home', 'secret');
    clock.advance(3000);
    expect(wifi.connected).toBe(true);
    expect(wifi.address).toBe('192.168.1.50');
    clock.advance(600000);
    expect(radio.accessPointOn).toBe(false);
    expect(wifi.mode).toBe('STA');
  });

  it('opens the access point when the saved network gives no address within the join timeout, and keeps retrying', () => {
    const { clock, radio, wifi } = fixture();
    wifi.start('home', 'secret'); // not in range
    clock.advance(29999);
    expect(radio.accessPointOn).toBe(false);
    clock.advance(1);
    expect(radio.accessPointOn).toBe(true);
    expect(wifi.mode).toBe('STA+AP');
    const before = radio.attempts;
    clock.advance(60000);
    expect(radio.attempts).toBeGreaterThan(before);
  });

  it('closes the access point one linger period after the station finally connects', () => {
    const { clock, radio, wifi } = fixture();
    wifi.start('home', 'secret');
    clock.advance(30000);
    expect(radio.accessPointOn).toBe(true);
    radio.networks.set('home', 'secret'); // the router comes back
    const joined = clock.advanceUntil(() => wifi.connected, 20000, 100);
    expect(joined).toBeLessThanOrEqual(10000 + 3000);
    clock.advance(59900);
    expect(radio.accessPointOn).toBe(true);
    clock.advance(100);
    expect(radio.accessPointOn).toBe(false);
    expect(wifi.mode).toBe('STA');
  });

  it('joins the network given to /savenetwork from access-point mode', () => {
    const { clock, radio, wifi } = fixture();
    radio.networks.set('mywifinet', 'abcd1234');
    wifi.start('', '');
    wifi.join('mywifinet', 'abcd1234');
    clock.advance(3000);
    expect(wifi.connected).toBe(true);
    clock.advance(60000);
    expect(radio.accessPointOn).toBe(false);
  });

  it('stays in access-point mode when /savenetwork gets a wrong password', () => {
    const { clock, radio, wifi } = fixture();
    radio.networks.set('mywifinet', 'abcd1234');
    wifi.start('', '');
    wifi.join('mywifinet', 'wrong');
    clock.advance(120000);
    expect(wifi.connected).toBe(false);
    expect(radio.accessPointOn).toBe(true);
  });

  it('reopens the access point only if a lost connection does not come back within the join timeout', () => {
    const { clock, radio, wifi } = fixture();
    radio.networks.set('home', 'secret');
    wifi.start('home', 'secret');
    clock.advance(3000);
    radio.drop('home');
    expect(wifi.connected).toBe(false);
    clock.advance(29999);
    expect(radio.accessPointOn).toBe(false);
    clock.advance(1);
    expect(radio.accessPointOn).toBe(true);
  });

  it('does not open the access point when a dropped connection comes back in time', () => {
    const { clock, radio, wifi } = fixture();
    radio.networks.set('home', 'secret');
    wifi.start('home', 'secret');
    clock.advance(3000);
    radio.drop('home');
    radio.networks.set('home', 'secret');
    clock.advance(10000 + 3000); // one retry
    expect(wifi.connected).toBe(true);
    clock.advance(60000);
    expect(radio.accessPointOn).toBe(false);
  });

  it('turns the access point off on /apoff', () => {
    const { radio, wifi } = fixture();
    wifi.start('', '');
    wifi.apOff();
    expect(radio.accessPointOn).toBe(false);
  });
});

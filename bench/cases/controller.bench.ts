import { bench } from './registry';
import { encode, toBytes } from '../../modules/rapi/frame';
import { VirtualClock } from '../../sim/clock';
import { SimStation } from '../../sim/station';

/** A station charging at 32 A, its RAPI output discarded. */
function chargingStation(): { clock: VirtualClock; station: SimStation } {
  const clock = new VirtualClock();
  const station = new SimStation({ clock, output: { write() {} } });
  station.start();
  clock.advance(1000);
  station.ev.plug();
  clock.advance(2000);
  if (!station.mains.energized) throw new Error('bench station did not start charging');
  return { clock, station };
}

bench('controller: 10 ms of charging (one tick, sim models included)', () => {
  const { clock } = chargingStation();
  return () => clock.advance(10);
});

bench('controller: 10 ms with no EV (one tick in state A, sim models included)', () => {
  const clock = new VirtualClock();
  const station = new SimStation({ clock, output: { write() {} } });
  station.start();
  clock.advance(1000);
  if (station.controller.state !== 1) throw new Error('bench station is not idle in A');
  return () => clock.advance(10);
});

bench('controller: 100 ms of charging (10 ticks and one CT reading)', () => {
  const { clock } = chargingStation();
  return () => clock.advance(100);
});

bench('controller: one $GS command, parsed, executed and answered', () => {
  const { station } = chargingStation();
  const gs = toBytes(encode('GS'));
  return () => station.receive(gs);
});

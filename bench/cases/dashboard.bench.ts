// What serving the dashboard costs the device: decoding the page resource for
// one GET /, and one simulation-control request on a simulation host.
import { bench } from './registry';
import { webPage } from '../../modules/gateway/web-page';
import { VirtualClock } from '../../sim/clock';
import { SimControlApi } from '../../sim/control-api';
import { SimStation } from '../../sim/station';

bench('dashboard GET / (decode the gzipped page)', () => {
  return () => {
    webPage('/');
  };
});

bench('sim control GET /sim/status', () => {
  const station = new SimStation({ clock: new VirtualClock(), output: { write() {} } });
  const api = new SimControlApi(station);
  const req = { method: 'GET', path: '/sim/status', query: {}, headers: {}, body: '' };
  return () => {
    api.handle(req);
  };
});

// Writes the dashboard as the firmware's flash resources, from web/index.html
// the way web/build.mjs squeezes and compresses it:
//   hosts/moddable/resources/dashboard.html.gz   served to browsers that accept gzip (all of them)
//   hosts/moddable/resources/dashboard.html      served to a client that does not (curl without --compressed)
// The firmware serves both straight from flash (Resource), with no decoding
// per request. test/node/moddable/firmware.test.ts fails when they are stale.
//
//   node tools/dashboard-resources.mjs

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compress, readPage, squeeze } from '../web/build.mjs';

export const HTML = fileURLToPath(new URL('../hosts/moddable/resources/dashboard.html', import.meta.url));
export const GZIP = fileURLToPath(new URL('../hosts/moddable/resources/dashboard.html.gz', import.meta.url));

export function page() {
  return squeeze(readPage());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = page();
  const gz = compress(text);
  writeFileSync(HTML, text);
  writeFileSync(GZIP, gz);
  console.log(`dashboard resources: ${Buffer.byteLength(text)} bytes, ${gz.length} gzipped`);
}

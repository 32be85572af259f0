// npm postinstall: compile the XS engine's command-line program so `npm test` can run the portable core on XS.
import { buildXsnap } from './xsnap.mjs';

const bin = buildXsnap({ force: process.argv.includes('--force') });
console.log(`xsnap ready: ${bin}`);

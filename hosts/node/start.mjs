#!/usr/bin/env node
// `npm start`: runs the CLI (cli.ts) from a bundle esbuild made of it
// (bundle.mjs), so a start compiles no TypeScript: tsx took most of the
// 645 ms to the first /status. The bundle is rebuilt first whenever it is
// stale, so an edited source never runs as its old self.
//
//   node hosts/node/start.mjs [cli options]   what `npm start` runs
//   node hosts/node/start.mjs --build         rebuild only (npm install runs this)
import { buildBundle, compileCli, runCli, staleness } from './bundle.mjs';

const args = process.argv.slice(2);
if (args[0] === '--build') {
  await buildBundle();
} else {
  const why = staleness();
  if (why) {
    process.stderr.write(`npm start: building the CLI bundle (${why})\n`);
    await buildBundle();
  }
  const { main } = runCli(compileCli().script);
  process.exit(await main(args));
}

#!/usr/bin/env node
// The launcher under its older name, for scripts that run it by path:
// `npm start` runs start.cjs itself (no ES module before the first /status).
import launcher from './start.cjs';

await launcher.launch(process.argv.slice(2));

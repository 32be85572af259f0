#!/usr/bin/env node
// Runs the clients that real users point at an OpenEVSE charger against
// `npm start`: every public call of python-openevse-http (the library behind
// Home Assistant's OpenEVSE integration; openevse_http_calls.py checks each
// call's effect) and OpenEVSE's own HTTP integration tests
// (tests/integration/test_charging.py). Their code is not in this repository:
// give checkouts of theirs.
//
//   node tools/clients/run.mjs --openevse-http DIR --openevse-firmware DIR
//     (or EVSE_PY_OPENEVSE_HTTP=DIR EVSE_OPENEVSE_FIRMWARE=DIR; either may be left out)
//
// Each suite gets a fresh charger (empty state dir, free HTTP and MQTT ports,
// no mDNS). Prints PASS/FAIL per call and per test, a summary line per suite,
// and exits 1 when anything failed. Python: EVSE_PYTHON, else the first of
// /usr/bin/python3 and python3 that has aiohttp, awesomeversion, pytest and
// requests (Debian: python3-aiohttp python3-awesomeversion python3-pytest python3-requests).

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '../..');

function options(argv) {
  const o = { http: process.env.EVSE_PY_OPENEVSE_HTTP, firmware: process.env.EVSE_OPENEVSE_FIRMWARE };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--openevse-http') o.http = argv[++i];
    else if (argv[i] === '--openevse-firmware') o.firmware = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}; usage: run.mjs --openevse-http DIR --openevse-firmware DIR`);
  }
  if (!o.http && !o.firmware) throw new Error('give --openevse-http DIR and/or --openevse-firmware DIR (checkouts of firstof9/python-openevse-http, OpenEVSE/openevse_esp32_firmware)');
  if (o.http && !existsSync(join(o.http, 'openevsehttp/client.py'))) throw new Error(`${o.http}: no openevsehttp/client.py (a python-openevse-http checkout?)`);
  if (o.firmware && !existsSync(join(o.firmware, 'tests/integration/test_charging.py'))) throw new Error(`${o.firmware}: no tests/integration/test_charging.py`);
  return o;
}

function python() {
  const candidates = process.env.EVSE_PYTHON ? [process.env.EVSE_PYTHON] : ['/usr/bin/python3', 'python3'];
  for (const p of candidates) {
    const r = spawnSync(p, ['-c', 'import aiohttp, awesomeversion, pytest, requests'], { stdio: 'ignore' });
    if (r.status === 0) return p;
  }
  throw new Error(`no Python with aiohttp, awesomeversion, pytest and requests among ${candidates.join(', ')} (apt-get install python3-aiohttp python3-awesomeversion python3-pytest python3-requests)`);
}

/** A fresh `npm start`; resolves with its URL and a stop(). */
async function startCharger() {
  const state = mkdtempSync(join(tmpdir(), 'evse-clients-'));
  const proc = spawn(process.execPath, [join(ROOT, 'hosts/node/start.mjs'), '--http-port', '0', '--mqtt-port', '0', '--no-mdns', '--state-dir', state, '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (c) => (out += c));
  proc.stderr.on('data', (c) => (out += c));
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm start printed no dashboard URL in 60 s:\n${out}`)), 60_000);
    const look = () => {
      const m = out.match(/dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    proc.stdout.on('data', look);
    proc.once('exit', (code) => fail(new Error(`npm start exited (${code}):\n${out}`)));
  });
  // Ready when the gateway sees the controller, as a client would wait.
  for (const end = Date.now() + 20_000; ; ) {
    try {
      const s = await (await fetch(url + '/status')).json();
      if (s.rapi_connected === 1 && s.state !== 0) break;
    } catch {}
    if (Date.now() > end) throw new Error(`${url}: the controller did not connect in 20 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGINT');
        await gone;
      }
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/** Runs a child, echoing its output; resolves with its exit code and output. */
function run(cmd, args, env) {
  return new Promise((ok) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const echo = (c) => {
      out += c;
      process.stdout.write(c);
    };
    p.stdout.on('data', echo);
    p.stderr.on('data', echo);
    p.once('exit', (code) => ok({ code, out }));
  });
}

async function suite(name, body) {
  console.log(`\n== ${name}`);
  const charger = await startCharger();
  console.log(`   against npm start at ${charger.url}`);
  try {
    return await body(charger);
  } finally {
    await charger.stop();
  }
}

const o = options(process.argv.slice(2));
const py = python();
const summary = [];
let failed = false;

if (o.http) {
  const r = await suite('python-openevse-http: every public call', (c) =>
    run(py, [join(HERE, 'openevse_http_calls.py'), c.url], { PYTHONPATH: resolve(o.http), PYTHONWARNINGS: 'ignore' }),
  );
  const line = r.out.match(/^python-openevse-http: .*$/m)?.[0] ?? 'python-openevse-http: did not finish';
  summary.push(line);
  failed ||= r.code !== 0;
}

if (o.firmware) {
  const dir = mkdtempSync(join(tmpdir(), 'evse-openevse-it-'));
  try {
    copyFileSync(join(o.firmware, 'tests/integration/test_charging.py'), join(dir, 'test_charging.py'));
    copyFileSync(join(HERE, 'charging_conftest.py'), join(dir, 'conftest.py'));
    const r = await suite('OpenEVSE tests/integration/test_charging.py', (c) =>
      run(py, ['-m', 'pytest', '-v', '-p', 'no:cacheprovider', '--rootdir', dir, join(dir, 'test_charging.py')], { EVSE_URL: c.url }),
    );
    const passed = (r.out.match(/ PASSED/g) ?? []).length;
    const fails = (r.out.match(/ (FAILED|ERROR)/g) ?? []).length;
    summary.push(`OpenEVSE test_charging.py: ${passed} passed, ${fails} failed`);
    failed ||= r.code !== 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('\n' + summary.join('\n'));
process.exit(failed ? 1 : 0);

// A serial wire in a process of its own: it starts two socat bridges, each
// making one pseudo-terminal and passing its bytes through socat's stdin and
// stdout, and joins them like a null-modem cable that carries at most
// baud/10 bytes a second each way (8N1: start bit, 8 data bits, stop bit).
// Bytes leave in arrival order; a chunk is handed on when its last byte would
// have arrived at the far UART, so a frame completes no sooner than on a wire.
//
// Usage: node wire-relay.mjs BAUD PATH_A PATH_B; prints "ready" once both
// device paths exist. Plain JavaScript so it needs no loader.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [baudText, pathA, pathB] = process.argv.slice(2);
const msPerByte = 10000 / Number(baudText);

/**
 * Runs `fn` at `when` (performance.now() ms). Node's timers fire up to a
 * millisecond late, half a frame at 115200 baud, so the last stretch is
 * waited out by yielding to the event loop until the moment has come.
 */
function at(when, fn) {
  const wait = when - performance.now();
  if (wait > 2) setTimeout(() => at(when, fn), wait - 2);
  else if (wait > 0) setImmediate(() => at(when, fn));
  else fn();
}

function bridge(path) {
  const p = spawn('socat', [`pty,raw,echo=0,link=${path}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'inherit'] });
  p.on('exit', () => process.exit(0));
  return p;
}

function pace(from, to) {
  let freeAt = 0; // when this direction of the wire is idle again
  from.stdout.on('data', (chunk) => {
    const start = Math.max(performance.now(), freeAt);
    freeAt = start + chunk.length * msPerByte;
    at(freeAt, () => to.stdin.write(chunk));
  });
}

const a = bridge(pathA);
const b = bridge(pathB);
pace(a, b);
pace(b, a);
const check = setInterval(() => {
  if (existsSync(pathA) && existsSync(pathB)) {
    clearInterval(check);
    process.stdout.write('ready\n');
  }
}, 5);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    a.kill();
    b.kill();
    process.exit(0);
  });
}

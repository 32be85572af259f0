// The same floor as floor.c in plain Node: a tty.ReadStream kept registered
// (what SerialLink's default reader uses) and writeSync, no RAPI code.
//   node floor.mjs ctl PATH | node floor.mjs gw PATH (protocol: see floor.c)
import { constants, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ReadStream } from 'node:tty';

const [role, path] = process.argv.slice(2);
const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
const request = Buffer.from('$GS^30\r');
const reply = Buffer.from('$OK 01 0 01 0200^12\r');
const tty = new ReadStream(fd);
const ends = (chunk) => {
  let n = 0;
  for (let i = 0; i < chunk.length; i++) if (chunk[i] === 13) n++;
  return n;
};
if (role === 'ctl') {
  tty.on('data', (chunk) => {
    for (let n = ends(chunk); n > 0; n--) writeSync(fd, reply);
  });
  tty.on('error', () => process.exit(0));
} else {
  let until = 0;
  let count = 0;
  let waiting = false;
  tty.on('data', (chunk) => {
    // A line the controller sends of its own accord (ours: $AT, $AB) between stretches is not a reply.
    if (!waiting || ends(chunk) === 0) return;
    count++;
    if (performance.now() < until) return void writeSync(fd, request);
    waiting = false;
    process.stdout.write(`${count}\n`);
  });
  createInterface({ input: process.stdin }).on('line', (line) => {
    until = performance.now() + Number(line);
    count = 0;
    waiting = true;
    writeSync(fd, request);
  });
  process.stdout.write('ready\n');
}

// Writes the Linux simulator's legacy socket (the SDK's `socket` module, which
// the SDK's `mdns` responder is built on) with multicast that works:
//   hosts/moddable/simulator/sdk/modSocket.c   (not in git: made from the SDK in use)
// hosts/moddable/simulator/manifest_socket.json compiles it in place of the SDK's
// own modules/network/socket/lin/modSocket.c, for the lin build only.
//
// Why a copy with four changes and not our own socket: SDK 8.2.3's lin file
// is right but for these, and the `mdns` module imports "socket" by name, so
// the C behind that name is the one thing to replace. The SDK stays untouched
// (it is shared by every checkout on a machine); the changes are applied to a
// copy at build time, each to one exact line, and a SDK whose lines differ
// stops the build here with the reason instead of building something unknown.
// A line at the end marks the build as having it (hosts/moddable/simulator/multicast.c).
//
//   1. `0 != inet_pton(...)` refuses every valid multicast address
//      ("invalid multicast IP address"): inet_pton returns 1 on success.
//   2. IP_MULTICAST_LOOP 0 -> 1: a simulator shares its host with the other
//      instances and with the browsers that look for it (avahi, bonjour-service);
//      without loopback none of them on this host hears its answers. (An ESP32
//      is alone on its interface; lwIP is not affected.)
//   3. SO_REUSEADDR besides SO_REUSEPORT: Linux lets sockets share port 5353
//      only when all of them set the same one, and Node's dgram (reuseAddr,
//      multicast-dns) and avahi set SO_REUSEADDR.
//   4. A UDP socket is ready to read from the start, as on lwIP: the lin one
//      waited to be writable and reported that as a Connect message (1), which
//      the `mdns` module takes for a datagram like every other callback: it read
//      nothing, its DNS parser threw, and an exception in a socket callback
//      aborts the XS machine ("unhandled exception").
//
//   node tools/simulator-socket.mjs            (test/node/moddable/sdk.ts runs it before each build)

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OUT = fileURLToPath(new URL('../hosts/moddable/simulator/sdk/modSocket.c', import.meta.url));

const CHANGES = [
  ['if (0 != inet_pton(AF_INET, temp, &multiaddr))', 'if (1 != inet_pton(AF_INET, temp, &multiaddr))'],
  ['uint8_t loop = 0;', 'uint8_t loop = 1;'],
  [
    'result = setsockopt(xss->skt, SOL_SOCKET, SO_REUSEPORT, (const void *)&flag, sizeof(flag));',
    'result = setsockopt(xss->skt, SOL_SOCKET, SO_REUSEADDR, (const void *)&flag, sizeof(flag));\n' +
      '\t\t\tif (result >= 0)\n' +
      '\t\t\t\tresult = setsockopt(xss->skt, SOL_SOCKET, SO_REUSEPORT, (const void *)&flag, sizeof(flag));',
  ],
  ['\t\t\t\txsUnknownError("UDP multicast setup failed");\n\t\t}\n\t\treturn;', '\t\t\t\txsUnknownError("UDP multicast setup failed");\n\t\t}\n\t\txss->connected = true;\n\t\treturn;'],
];

/** The patched text of the SDK's lin modSocket.c; throws when a line to change is not there exactly once. */
export function patched(moddable) {
  const source = join(moddable, 'modules', 'network', 'socket', 'lin', 'modSocket.c');
  if (!existsSync(source)) throw new Error(`simulator socket: no ${source} (is MODDABLE the SDK 8.2.3?)`);
  let text = readFileSync(source, 'utf8');
  for (const [from, to] of CHANGES) {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`simulator socket: expected "${from}" once in ${source}, found it ${count} times (another SDK version?)`);
    text = text.replace(from, () => to);
  }
  // The marker hosts/moddable/simulator/multicast.c looks for: this build's socket does multicast.
  return `// Made by tools/simulator-socket.mjs from ${source}: do not edit.\n${text}\nconst int evseSocketMulticast = 1;\n`;
}

/** Writes OUT when it differs (atomically: several test files build at once). */
export function writeSimulatorSocket(moddable) {
  const text = patched(moddable);
  if (existsSync(OUT) && readFileSync(OUT, 'utf8') === text) return OUT;
  mkdirSync(join(OUT, '..'), { recursive: true });
  const temp = `${OUT}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, OUT);
  return OUT;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const moddable = process.env.MODDABLE;
  if (!moddable) {
    console.error('simulator socket: set MODDABLE (eval "$(../shared/moddable/setup.sh)")');
    process.exit(1);
  }
  console.log(`simulator socket: ${writeSimulatorSocket(moddable)}`);
}

// Where the XS command-line engine lives, and how to build it from the @agoric/xsnap sources.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);

export function xsnapPackageDir() {
  return dirname(require.resolve('@agoric/xsnap/package.json'));
}

export function xsnapBinary() {
  return join(xsnapPackageDir(), 'moddable', 'build', 'bin', 'lin', 'release', 'xsnap');
}

/** Builds the `xsnap` CLI (not the worker the package builds for itself) with the machine's C compiler. */
export function buildXsnap({ force = false } = {}) {
  const bin = xsnapBinary();
  if (existsSync(bin) && !force) return bin;
  if (process.platform !== 'linux') {
    throw new Error(`building xsnap is scripted for Linux only (this is ${process.platform})`);
  }
  const pkg = xsnapPackageDir();
  execFileSync('make', ['GOAL=release', '-f', 'xsnap.mk', `MODDABLE=${join(pkg, 'moddable')}`], {
    cwd: join(pkg, 'xsnap-native', 'xsnap', 'makefiles', 'lin'),
    stdio: 'inherit',
  });
  if (!existsSync(bin)) throw new Error(`xsnap build finished but ${bin} is missing`);
  return bin;
}

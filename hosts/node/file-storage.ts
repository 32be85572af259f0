// The Storage port as one file per key in a directory. A write goes to a
// temporary file that is flushed to disk, then renamed over the old file and
// the directory is flushed: rename is atomic on POSIX file systems, so after
// a power loss a key holds the old or the new value, never a torn one.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '../../modules/ports';

const TEMP_SUFFIX = '.tmp';

export class FileStorage implements Storage {
  readonly dir: string;
  #serial = 0;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    // Leftovers of a save that was cut short: the old value is still in place.
    for (const name of readdirSync(dir)) if (name.endsWith(TEMP_SUFFIX)) unlinkSync(join(dir, name));
  }

  #path(key: string): string {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key) || key.startsWith('.')) throw new RangeError(`storage key must be 1–64 of [A-Za-z0-9_.-]: ${JSON.stringify(key)}`);
    return join(this.dir, key + '.json');
  }

  read(key: string): string | undefined {
    try {
      return readFileSync(this.#path(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  write(key: string, value: string): void {
    const path = this.#path(key);
    const temp = `${path}.${process.pid}.${this.#serial++}${TEMP_SUFFIX}`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      const bytes = Buffer.from(value, 'utf8');
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    this.#syncDir();
  }

  remove(key: string): void {
    try {
      unlinkSync(this.#path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.#syncDir();
  }

  #syncDir(): void {
    // Makes the rename itself durable; not every platform can open a directory.
    let fd: number | undefined;
    try {
      fd = openSync(this.dir, 'r');
      fsyncSync(fd);
    } catch {
      // best effort
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

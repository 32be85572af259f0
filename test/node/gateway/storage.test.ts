// Persistence on the Node host: the file-backed Storage port with atomic
// replace, and what the gateway keeps across restarts (config, boot record).
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStorage } from '../../../hosts/node/file-storage';
import { cleanup, standalone, tempDir, until } from './rig';

describe('file storage', () => {
  it('reads what was written, forgets what was removed', () => {
    const dir = tempDir('fs');
    try {
      const s = new FileStorage(dir);
      expect(s.read('config')).toBeUndefined();
      s.write('config', '{"a":1}');
      s.write('config', '{"a":2}');
      expect(s.read('config')).toBe('{"a":2}');
      expect(new FileStorage(dir).read('config')).toBe('{"a":2}');
      s.remove('config');
      expect(s.read('config')).toBeUndefined();
      expect(() => s.write('../etc', 'x')).toThrow();
    } finally {
      cleanup(dir);
    }
  });

  it('ignores and clears the temporary file of a save that was cut short', () => {
    const dir = tempDir('fs');
    try {
      new FileStorage(dir).write('config', 'old');
      writeFileSync(join(dir, 'config.json.123.0.tmp'), 'new but torn');
      const s = new FileStorage(dir);
      expect(s.read('config')).toBe('old');
      expect(readdirSync(dir)).toEqual(['config.json']);
    } finally {
      cleanup(dir);
    }
  });

  it('a process killed in the middle of saving leaves the old or the new document, never a broken one', async () => {
    const dir = tempDir('fs');
    const script = join(dir, 'writer.ts');
    const storage = join(process.cwd(), 'hosts/node/file-storage.ts');
    // Two large, different documents, saved over and over as fast as possible.
    writeFileSync(
      script,
      `import { FileStorage } from ${JSON.stringify(storage)};
const s = new FileStorage(${JSON.stringify(join(dir, 'store'))});
const a = JSON.stringify({ v: 'a', pad: 'a'.repeat(200000) });
const b = JSON.stringify({ v: 'b', pad: 'b'.repeat(300000) });
process.stdout.write('ready\\n');
for (let i = 0; ; i++) s.write('config', i % 2 ? a : b);
`,
    );
    try {
      for (let round = 0; round < 5; round++) {
        const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise<void>((r) => child.stdout!.once('data', () => r()));
        await new Promise((r) => setTimeout(r, 50 + 37 * round));
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
        const text = new FileStorage(join(dir, 'store')).read('config');
        expect(text).toBeDefined();
        const doc = JSON.parse(text!);
        expect(['a', 'b']).toContain(doc.v);
        expect(doc.pad.length).toBe(doc.v === 'a' ? 200000 : 300000);
      }
    } finally {
      cleanup(dir);
    }
  }, 60000);
});

describe('gateway across restarts', () => {
  it('keeps its config and counts boots; a clean stop reads back as a software reset with the last uptime', async () => {
    const dir = tempDir('boot');
    try {
      const first = await standalone({ dir });
      await until(() => first.gateway.monitor.ready);
      expect((await first.post('/config', JSON.stringify({ mqtt_server: 'broker.example', mqtt_pass: 'p' }))).status).toBe(200);
      const s1 = await (await first.get('/status')).json();
      expect([s1.boot_count, s1.reset_reason_str]).toEqual([1, 'poweron']);
      await new Promise((r) => setTimeout(r, 300));
      await first.close();

      const second = await standalone({ dir });
      const s2 = await (await second.get('/status')).json();
      expect(s2.boot_count).toBe(2);
      expect(s2.crash_seq).toBe(2);
      expect([s2.reset_reason, s2.reset_reason_str]).toEqual([3, 'software']);
      expect(s2.prev_uptime_ms).toBeGreaterThanOrEqual(300);
      expect(s2.prev_unix_time).toBeGreaterThan(1_700_000_000);
      const cfg = await (await second.get('/config')).json();
      expect(cfg.mqtt_server).toBe('broker.example');
      expect(cfg.mqtt_pass).toBe('__DUMMY_PASSWORD__');
      expect(cfg.config_version).toBe(1);
      // no clean stop this time: the next boot cannot call it a software reset
      await second.http.close();

      const third = await standalone({ dir });
      const s3 = await (await third.get('/status')).json();
      expect([s3.boot_count, s3.reset_reason_str]).toEqual([3, 'unknown']);
      const log = await (await third.get('/crashlog?count=10')).json();
      expect(log.events.map((e: { boot_count: number }) => e.boot_count)).toEqual([3, 2, 1]);
      await third.close();
      second.gateway.stop();
      second.station.stop();
    } finally {
      cleanup(dir);
    }
  });
});

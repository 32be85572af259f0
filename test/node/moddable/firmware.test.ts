// The Moddable firmware as far as this machine can check it without the SDK:
// main.ts and hosts/moddable type-check (strict) against the official typings
// on npm plus types/moddable, a misuse of the SDK or of our adapters fails
// that check, and manifest.json is shaped the way mcconfig needs it
// (reference/moddable.md §3, §4, §7, §8): every module it names exists, every
// import of the firmware resolves to a module the build contains on the device
// and in the simulator, and preloaded modules hold no mutable module state.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function runTsc(project: string): { code: number; out: string } {
  const r = spawnSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** tsconfig files are JSON with comments. */
function readJsonc(path: string): any {
  const text = readFileSync(path, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text);
}

const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));

describe('moddable firmware type-check', () => {
  it('main.ts and hosts/moddable pass strict tsc against @moddable/typings and types/moddable', () => {
    const r = runTsc('tsconfig.moddable.json');
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('the check covers every host file and the typings it promises', () => {
    const cfg = readJsonc(join(root, 'tsconfig.moddable.json'));
    expect(cfg.compilerOptions.strict).toBe(true);
    expect(cfg.compilerOptions.types).toEqual([]);
    for (const entry of cfg.include as string[]) {
      if (entry.includes('*')) expect(existsSync(join(root, entry.slice(0, entry.indexOf('*'))))).toBe(true);
      else expect(existsSync(join(root, entry))).toBe(true);
    }
    expect(cfg.include).toContain('hosts/moddable/**/*.ts');
    expect(cfg.include).toContain('main.ts');
  });

  it('rejects a misuse of the SDK and of the adapters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evse-moddable-'));
    const base = readJsonc(join(root, 'tsconfig.moddable.json'));
    const bad = join(dir, 'bad.ts');
    writeFileSync(
      bad,
      [
        `import PWM from 'embedded:io/pwm';`,
        `import Digital from 'embedded:io/digital';`,
        `import { PreferenceStorage } from ${JSON.stringify(join(root, 'hosts/moddable/storage'))};`,
        `import { UartLink } from ${JSON.stringify(join(root, 'hosts/moddable/serial'))};`,
        `new PWM({ pin: 25, hertz: 1000 });`, // line 5: the option is hz
        `new PWM({ pin: 25 }).write('50%');`, // line 6: a count, not a string
        `new Digital({ pin: 27, mode: Digital.Output }).write(2);`, // line 7: a digital level is 0 or 1
        `new PreferenceStorage({ domain: 'evse' });`, // line 8: no preference module
        `new UartLink({ port: 2, receive: 16, transmit: 17 });`, // line 9: no baud
      ].join('\n'),
    );
    const project = join(dir, 'tsconfig.json');
    writeFileSync(
      project,
      JSON.stringify({
        extends: join(root, 'tsconfig.moddable.json'),
        include: [...(base.include as string[]).filter((e) => !e.startsWith('main') && !e.startsWith('hosts')).map((e) => join(root, e)), bad],
      }),
    );
    const r = runTsc(project);
    expect(r.code).not.toBe(0);
    for (const line of [5, 6, 7, 8, 9]) expect(r.out).toMatch(new RegExp(`bad\\.ts\\(${line},`));
  });
});

// ---------------------------------------------------------------------------
// The manifest, resolved the way mcconfig resolves the project's own modules.

type Platform = 'esp32/nodemcu' | 'lin';

/** The platform block mcconfig merges: the exact key, else "<platform>/*", else the bare platform. */
function platformBlock(platform: Platform): any {
  const blocks = manifest.platforms;
  const [head] = platform.split('/');
  return blocks[platform] ?? (platform.includes('/') ? blocks[`${head}/*`] : undefined) ?? blocks[head];
}

/** Specifier → source file for the project's own modules ("./" paths) on a platform. */
function ownModules(platform: Platform): Map<string, string> {
  const map = new Map<string, string>();
  const add = (specifier: string, path: string) => {
    if (!path.startsWith('./')) return;
    if (path.endsWith('/*')) {
      const dir = join(root, path.slice(2, -2));
      for (const name of readdirSync(dir)) {
        const file = join(dir, name);
        if (!statSync(file).isFile() || !/\.(ts|js)$/.test(name) || name.endsWith('.d.ts')) continue;
        map.set(specifier.slice(0, -1) + name.replace(/\.(ts|js)$/, ''), file);
      }
    } else {
      const file = [`${path}.ts`, `${path}.js`].map((p) => join(root, p)).find((p) => existsSync(p));
      if (file) map.set(specifier === '*' ? posix.basename(path) : specifier, file);
    }
  };
  for (const modules of [manifest.modules, platformBlock(platform)?.modules ?? {}]) {
    for (const [specifier, value] of Object.entries(modules)) {
      if (specifier === '~') continue;
      for (const path of Array.isArray(value) ? value : [value]) add(specifier, path as string);
    }
  }
  // "~" leaves files out of this platform's build.
  for (const path of (platformBlock(platform)?.modules?.['~'] ?? []) as string[]) {
    if (!path.startsWith('./')) continue;
    for (const [specifier, file] of map) if (file.replace(/\.(ts|js)$/, '') === join(root, path.slice(2))) map.delete(specifier);
  }
  return map;
}

/** SDK modules the build contains on each platform (from the manifests the project includes; reference §3, §4). */
const SDK_COMMON = ['mc/config', 'Resource', 'preference', 'timer', 'time', 'instrumentation', 'net', 'embedded:io/serial', 'embedded:io/socket/tcp', 'embedded:io/socket/udp', 'embedded:io/socket/listener', 'embedded:network/dns/resolver/udp', 'websocket', 'socket', 'crypt', 'mdns'];
const SDK: Record<Platform, string[]> = {
  'esp32/nodemcu': [...SDK_COMMON, 'embedded:io/analog', 'embedded:io/digital', 'embedded:io/pwm', 'wifi', 'net', 'sntp'],
  // The simulator has no Digital, PWM or Analog (reference §3.4), and no SNTP.
  lin: [...SDK_COMMON, 'file'],
};

/** Runtime imports of a TS file (type-only imports are erased). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (let m; (m = re.exec(text)); ) out.push(m[1]);
  return out;
}

function resolveSpecifier(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return posix.normalize(posix.join(posix.dirname(from), specifier));
}

describe('moddable manifest.json', () => {
  it('builds on the SDK base, with strict TypeScript and the stray typings JSON excluded', () => {
    expect(manifest.include).toContain('$(MODDABLE)/examples/manifest_base.json');
    // /ws (hosts/moddable/ws.ts) needs crypt (SHA-1 of the handshake): the SDK's websocket
    // manifest, which OCPP includes, brings it.
    for (const p of ['esp32/*', 'lin', 'mac', 'win']) expect(manifest.platforms[p].include).toContain('$(MODDABLE)/modules/network/websocket/manifest.json');
    expect(manifest.typescript.tsconfig.compilerOptions.strict).toBe(true);
    for (const stray of ['package', 'tsconfig.es2024', 'tsconfig.es2025']) expect(manifest.modules['~']).toContain(`$(MODDABLE)/typings/${stray}`);
  });

  it('maps the ECMA-419 HTTP server from the SDK examples, and not the example MQTT client (ours replaces it)', () => {
    expect(manifest.modules['embedded:network/http/server']).toBe('$(MODDABLE)/examples/io/listener/httpserver/httpserver');
    expect(manifest.modules['embedded:network/mqtt/client']).toBeUndefined();
  });

  it('keeps manifest_net.json inside platform blocks (its fallback is an error elsewhere)', () => {
    expect(JSON.stringify(manifest.include)).not.toContain('manifest_net');
    expect(platformBlock('esp32/nodemcu').include).toContain('$(MODDABLE)/examples/manifest_net.json');
  });

  it('brings the SDK WebSocket client (OCPP) on every platform, inside the platform blocks (it includes manifest_net.json)', () => {
    const websocket = '$(MODDABLE)/modules/network/websocket/manifest.json';
    expect(JSON.stringify(manifest.include)).not.toContain('websocket');
    for (const p of ['esp32/*', 'lin', 'mac', 'win']) expect(manifest.platforms[p].include).toContain(websocket);
  });

  it('names only project files that exist', () => {
    const all = [manifest.modules, ...Object.values(manifest.platforms).map((b: any) => b.modules ?? {})];
    let checked = 0;
    for (const modules of all) {
      for (const [specifier, value] of Object.entries(modules)) {
        if (specifier === '~') continue;
        for (const path of (Array.isArray(value) ? value : [value]) as string[]) {
          if (!path.startsWith('./')) continue;
          checked++;
          if (path.endsWith('/*')) expect(readdirSync(join(root, path.slice(2, -2))).some((n) => n.endsWith('.ts'))).toBe(true);
          else expect(existsSync(join(root, `${path}.ts`)) || existsSync(join(root, `${path}.js`))).toBe(true);
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('gives ESP32 targets the typical target memory profile, fixed (no incremental growth)', () => {
    const c = platformBlock('esp32/nodemcu').creation;
    expect(c.static).toBe(0);
    expect(c.chunk.incremental).toBe(0);
    expect(c.heap.incremental).toBe(0);
    expect(c.chunk.initial).toBeLessThanOrEqual(78848);
    expect(c.heap.initial).toBeLessThanOrEqual(4928);
    expect(c.stack).toBeGreaterThanOrEqual(512);
  });

  for (const platform of ['esp32/nodemcu', 'lin'] as Platform[]) {
    it(`resolves every runtime import of the firmware on ${platform}`, () => {
      const own = ownModules(platform);
      const sdk = new Set([...SDK[platform], ...[...Object.keys(manifest.modules), ...Object.keys(platformBlock(platform)?.modules ?? {})].filter((k) => k.startsWith('embedded:'))]);
      const seen = new Set<string>();
      const queue = ['main'];
      const missing: string[] = [];
      while (queue.length) {
        const specifier = queue.shift()!;
        if (seen.has(specifier)) continue;
        seen.add(specifier);
        const file = own.get(specifier);
        if (!file) {
          if (!sdk.has(specifier)) missing.push(specifier);
          continue;
        }
        for (const imported of runtimeImports(file)) queue.push(resolveSpecifier(specifier, imported));
      }
      expect(missing).toEqual([]);
      // The closure really is the firmware: controller, gateway, station, this platform's adapters.
      for (const s of ['modules/j1772/controller', 'modules/gateway/gateway', 'hosts/moddable/target/platform', 'hosts/moddable/http', 'hosts/moddable/mqtt', 'modules/gateway/features/ocpp', 'hosts/moddable/ocpp-socket', 'websocket', 'hosts/moddable/mdns', 'mdns']) {
        expect(seen.has(s)).toBe(true);
      }
      if (platform === 'lin') {
        expect(seen.has('embedded:io/pwm')).toBe(false);
        // the simulator's hardware and its /sim/* API
        expect(seen.has('sim/station')).toBe(true);
        expect(seen.has('sim/control-api')).toBe(true);
        expect(seen.has('hosts/moddable/ws')).toBe(true);
      } else {
        expect(seen.has('embedded:io/pwm')).toBe(true);
        // no simulation in a device build: not imported, not even in the build
        expect([...seen].filter((m) => m.startsWith('sim/'))).toEqual([]);
        expect([...own.keys()].filter((m) => m.startsWith('sim/'))).toEqual([]);
        // /ws on the device too (docs/moddable.md, "/ws on the device")
        expect(seen.has('hosts/moddable/ws')).toBe(true);
        expect(seen.has('hosts/moddable/ws-connection')).toBe(true);
      }
    });
  }

  for (const platform of ['esp32/nodemcu', 'lin'] as Platform[]) {
    it(`preloads every module the ${platform} firmware imports but main, by name (SDK 8.2.3 ignores wildcards for .ts)`, () => {
      const own = ownModules(platform);
      const preload = new Set<string>([...manifest.preload, ...(platformBlock(platform)?.preload ?? [])]);
      // the firmware's own modules, from main through every runtime import
      const reached = new Set<string>();
      const queue = ['main'];
      while (queue.length) {
        const specifier = queue.shift()!;
        if (reached.has(specifier) || !own.has(specifier)) continue;
        reached.add(specifier);
        for (const imported of runtimeImports(own.get(specifier)!)) queue.push(resolveSpecifier(specifier, imported));
      }
      expect(reached.size).toBeGreaterThan(40);
      const missing = [...reached].filter((m) => m !== 'main' && !preload.has(m));
      // A module missing here runs from RAM on the device: add it to "preload" in manifest.json.
      expect(missing).toEqual([]);
      expect([...preload].filter((p) => p.includes('*'))).toEqual([]);
      expect(preload.has('main')).toBe(false);
    });
  }

  it('preloads only modules without mutable module-level state (XS freezes preloaded modules)', () => {
    const own = new Map([...ownModules('esp32/nodemcu'), ...ownModules('lin')]);
    const preloaded = [...own.keys()].filter((s) => s !== 'main');
    expect(preloaded.length).toBeGreaterThan(10);
    for (const s of preloaded) {
      const text = readFileSync(own.get(s)!, 'utf8');
      expect(text).not.toMatch(/^(let|var)\s/m);
      expect(text).not.toMatch(/^\s*static\s+(?!readonly)[#\w]+\s*(:[^=;]+)?=/m);
      // A preloaded module may import only preloaded modules: not mc/config, nor
      // preference (the lin preference manifest does not preload it).
      expect(text).not.toMatch(/^import\s+(?!type\b).*from\s+['"](mc\/config|preference)['"]/m);
    }
  });

  it('keeps no RegExp object in a preloaded module (XS 8.2.3 crashes executing one from flash)', () => {
    const own = new Map([...ownModules('esp32/nodemcu'), ...ownModules('lin')]);
    const offenders: string[] = [];
    for (const [s, file] of own) {
      if (s === 'main') continue;
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        // a regular expression literal at module level, or as a value in a (frozen) table
        if (/^(export\s+)?const\s+\w+\s*(:[^=]+)?=\s*\/[^/*]/.test(line) || /^\s+\w+:\s*\/\^/.test(line) || /:\s*\{[^}]*:\s*\/\^/.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});

describe('dashboard flash resources (hosts/moddable/resources)', () => {
  it('are web/index.html as web/build.mjs squeezes it, plain and gzipped: else run `node tools/dashboard-resources.mjs`', async () => {
    const { page, HTML, GZIP } = await import('../../../tools/dashboard-resources.mjs');
    const { gunzipSync } = await import('node:zlib');
    const expected = page();
    expect(readFileSync(HTML, 'utf8')).toBe(expected);
    expect(gunzipSync(readFileSync(GZIP)).toString('utf8')).toBe(expected);
    expect(manifest.resources['*']).toContain('./hosts/moddable/resources/*');
  });
});

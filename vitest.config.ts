import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const portableHarness = fileURLToPath(new URL('./test/cases/harness.ts', import.meta.url));
const vitestHarness = fileURLToPath(new URL('./test/node/harness.ts', import.meta.url));

export default defineConfig({
  plugins: [
    {
      // Portable cases import ./harness; on Node that must be vitest's runner.
      name: 'portable-harness',
      enforce: 'pre',
      async resolveId(source, importer, options) {
        if (!/(^|\/)harness$/.test(source) || !importer) return null;
        const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
        return resolved && resolved.id === portableHarness ? vitestHarness : null;
      },
    },
  ],
  test: {
    include: ['test/cases/**/*.case.ts', 'test/node/**/*.test.ts'],
    testTimeout: 20000,
    hookTimeout: 20000,
  },
});

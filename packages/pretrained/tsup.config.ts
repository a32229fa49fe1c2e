import { defineConfig } from 'tsup';
import { peerDependencyBanner } from '../../scripts/peer-dependency-banner.mjs';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  // Shared chunks in CommonJS too: each entry must require one copy of the catalog.
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'es2022',
  // node.ts finds the shipped models next to dist/ through import.meta.url, also in the CommonJS build.
  shims: true,
  banner: peerDependencyBanner(),
});

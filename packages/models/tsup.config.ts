import { defineConfig } from 'tsup';
import { peerDependencyBanner } from '../../scripts/peer-dependency-banner.mjs';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts', 'src/layers.ts', 'src/options.ts'],
  format: ['esm', 'cjs'],
  // Shared chunks in CommonJS too: each entry (index, node, ...) must require one copy of a class, or
  // `instanceof` fails between them.
  splitting: true,
  dts: true,
  clean: true,
  // No source maps in the tarballs (they were 59 % of them); the sources are in the repository.
  sourcemap: false,
  target: 'es2022',
  // CommonJS: a missing tfjs peer fails with an error that says what to install.
  banner: peerDependencyBanner(),
});

import { defineConfig } from 'tsup';
import { peerDependencyBanner } from '../../scripts/peer-dependency-banner.mjs';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  // Shared chunks in CommonJS too: each entry (index, node, ...) must require one copy of a class, or
  // `instanceof` fails between them.
  splitting: true,
  dts: true,
  clean: true,
  // No source maps in the tarballs (they were 59 % of them); the sources are in the repository.
  sourcemap: false,
  target: 'es2022',
  // import.meta.url in the CommonJS build (node.ts finds packaged data sets from its own location).
  shims: true,
  // CommonJS: a missing tfjs peer fails with an error that says what to install.
  banner: peerDependencyBanner(),
});

import { defineConfig } from 'tsup';
import { peerDependencyBanner } from '../../scripts/peer-dependency-banner.mjs';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    testing: 'src/testing.ts',
    // The tfjs Layers API layers (they need tfjs-layers, about 45 kB gzipped): a subpath of their own, so the root
    // entry stays light.
    layers: 'src/layers.ts',
    // The two targets of package.json's `#register-gradients` import (gradients.ts), resolved by the consumer.
    'register-gradients.browser': 'src/register-gradients.browser.ts',
    'register-gradients.node': 'src/register-gradients.node.ts',
  },
  external: ['#register-gradients'],
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

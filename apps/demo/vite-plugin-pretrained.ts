/**
 * The demo's models that @vae/pretrained publishes come from that package, not from a second copy in this app:
 * each pretrained model of FROM_PRETRAINED, whose card names the `demoModel` it is (the demo's recipe, same files),
 * gives the site `models/<demoModel>/model.json` and `weights.bin`, the weights checked against the card's SHA-256
 * at build time.
 * The demo's own extras for those models (`codes.json`, `metrics.json`) stay in `public/models/<demoModel>/`; a
 * `model.json` or `weights.bin` there as well is refused (one owner). `vite build` writes the files into the output
 * folder; `vite` (dev) serves them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const MODEL_FILES = ['model.json', 'weights.bin'] as const;

/**
 * The pretrained models the demo shows. (The Disentangle view's sprite pair is the demo's own: it is retrained for
 * that lesson, so @vae/pretrained's dsprites-beta-vae is not taken from here.)
 */
export const FROM_PRETRAINED = ['mnist-vae-2d', 'mnist-vae-20d', 'fashion-mnist-vae-2d'] as const;

/** Site path (`models/<demoModel>/<file>`) -> bytes, for every pretrained model the demo shows. */
export function pretrainedDemoFiles(): Map<string, Uint8Array> {
  const require = createRequire(import.meta.url);
  const models = join(dirname(require.resolve('@vae/pretrained/package.json')), 'models');
  const publicModels = fileURLToPath(new URL('./public/models/', import.meta.url));
  const files = new Map<string, Uint8Array>();
  for (const name of FROM_PRETRAINED) {
    const cardFile = join(models, name, 'card.json');
    const card = JSON.parse(readFileSync(cardFile, 'utf8')) as {
      training?: { demoModel?: string };
      weights: { sha256: string };
    };
    const demo = card.training?.demoModel;
    if (!demo)
      throw new Error(`@vae/pretrained's ${name} names no demoModel: the demo cannot show it as its own.`);
    for (const file of MODEL_FILES) {
      if (existsSync(join(publicModels, demo, file))) {
        throw new Error(
          `public/models/${demo}/${file} duplicates @vae/pretrained's ${name}: the demo takes that model from the ` +
            'package; delete the copy (or remove demoModel from the card if the demo needs another model).',
        );
      }
      const bytes = new Uint8Array(readFileSync(join(models, name, file)));
      if (file === 'weights.bin') {
        const digest = createHash('sha256').update(bytes).digest('hex');
        if (digest !== card.weights.sha256) {
          throw new Error(
            `@vae/pretrained's ${name}/weights.bin has SHA-256 ${digest}, not the card's ${card.weights.sha256}.`,
          );
        }
      }
      files.set(`models/${demo}/${file}`, bytes);
    }
  }
  return files;
}

export function pretrainedModels(): Plugin {
  let files: Map<string, Uint8Array> | undefined;
  const load = () => {
    files ??= pretrainedDemoFiles();
    return files;
  };
  return {
    name: 'vae-demo-pretrained-models',
    buildStart() {
      load();
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = decodeURIComponent((request.url ?? '').split('?')[0]).replace(/^\/+/, '');
        const bytes = load().get(path);
        if (!bytes) return next();
        response.setHeader(
          'Content-Type',
          path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        );
        response.end(Buffer.from(bytes));
      });
    },
    generateBundle() {
      for (const [fileName, source] of load()) this.emitFile({ type: 'asset', fileName, source });
    },
  };
}

/**
 * The demo's models that @vae/pretrained publishes come from that package, not from a second copy in this app:
 * each pretrained model of FROM_PRETRAINED (pretrained-models.json), whose card names the `demoModel` it is (the demo's recipe, same files),
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
 * The pretrained models the demo shows, by @vae/pretrained name -> the demo's name (`pretrained-models.json`, also
 * read by `scripts/prepare-model.mjs`, which puts a retrained model's files into the package). The Disentangle
 * view's sprite pair stays the demo's own (@vae/pretrained's dsprites-beta-vae is a copy of its beta model).
 */
export const FROM_PRETRAINED: Readonly<Record<string, string>> = JSON.parse(
  readFileSync(new URL('./pretrained-models.json', import.meta.url), 'utf8'),
);

/** Site path (`models/<demoModel>/<file>`) -> bytes, for every pretrained model the demo shows. */
export function pretrainedDemoFiles(): Map<string, Uint8Array> {
  const require = createRequire(import.meta.url);
  const models = join(dirname(require.resolve('@vae/pretrained/package.json')), 'models');
  const publicModels = fileURLToPath(new URL('./public/models/', import.meta.url));
  const files = new Map<string, Uint8Array>();
  for (const [name, demoName] of Object.entries(FROM_PRETRAINED)) {
    const cardFile = join(models, name, 'card.json');
    const card = JSON.parse(readFileSync(cardFile, 'utf8')) as {
      training?: { demoModel?: string };
      weights: { sha256: string };
    };
    const demo = card.training?.demoModel;
    if (demo !== demoName) {
      throw new Error(
        `@vae/pretrained's ${name} is the demo's ${demo ?? 'nothing'} by its card, not ${demoName}: fix ` +
          'pretrained-models.json.',
      );
    }
    for (const file of MODEL_FILES) {
      if (existsSync(join(publicModels, demo, file))) {
        throw new Error(
          `public/models/${demo}/${file} duplicates @vae/pretrained's ${name}: the demo takes that model from the ` +
            'package; delete the copy (or take the model out of pretrained-models.json if the demo needs another one).',
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

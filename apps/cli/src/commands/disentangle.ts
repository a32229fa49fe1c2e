import * as tf from '@tensorflow/tfjs-core';
import { DSprites } from '@vae/data';
import { betaVaeScore, factorVaeScore, mutualInformationGap } from '@vae/metrics';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError } from '../errors';
import { loadTrainedModel } from '../shared';

export interface DisentangleOptions {
  model: string;
  full?: boolean;
  scale: number;
  seed: number;
  backend: BackendChoice;
  json: boolean;
}

/**
 * `vae disentangle`: the beta-VAE metric (Higgins et al. 2017), the FactorVAE metric (Kim and Mnih 2018) and MIG
 * (Chen et al. 2018) of a model trained on the procedural dSprites, whose ground-truth factors are known. The
 * default sizes are a tenth of disentanglement_lib's; `--full` uses theirs.
 */
export async function disentangle(options: DisentangleOptions): Promise<number> {
  const backend = await selectBackend(options.backend);
  const { model } = await loadTrainedModel(options.model);
  const sprites = new DSprites();
  if (model.inputSize !== 64 * 64) {
    model.dispose();
    throw new CliError(
      `the model takes ${model.inputSize} values per image, not dSprites' 64x64; train one with --dataset dsprites.`,
    );
  }
  const represent = (x: tf.Tensor) => tf.tidy(() => model.encode(x).mean);
  const scale = options.full ? 1 : options.scale;
  const sizes = {
    trainPoints: Math.round(10000 * scale),
    evalPoints: Math.round(5000 * scale),
    seed: options.seed,
  };
  const beta = await betaVaeScore(sprites, represent, sizes);
  const factor = await factorVaeScore(sprites, represent, {
    ...sizes,
    varianceEstimatePoints: Math.round(10000 * scale),
  });
  const mig = await mutualInformationGap(sprites, represent, {
    points: Math.max(1000, Math.round(10000 * scale)),
    seed: options.seed,
  });
  model.dispose();
  const result = {
    backend,
    sizes: scale === 1 ? 'disentanglement_lib' : `${scale} of disentanglement_lib's (--full for theirs)`,
    betaVae: Math.round(beta.score * 1e4) / 1e4,
    factorVae: Math.round(factor.score * 1e4) / 1e4,
    mig: Math.round(mig.score * 1e4) / 1e4,
    migPerFactor: Object.fromEntries(
      sprites.factorNames.map((name, k) => [name, Math.round(mig.gaps[k] * 1e4) / 1e4]),
    ),
  };
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(
      [
        `beta-VAE metric  ${result.betaVae.toFixed(3)}`,
        `FactorVAE metric ${result.factorVae.toFixed(3)}`,
        `MIG              ${result.mig.toFixed(3)}`,
        `MIG per factor   ${Object.entries(result.migPerFactor)
          .map(([k, v]) => `${k} ${Number.isNaN(v) ? 'n/a' : v.toFixed(3)}`)
          .join(', ')}`,
        `(${result.sizes})`,
      ].join('\n') + '\n',
    );
  }
  return 0;
}

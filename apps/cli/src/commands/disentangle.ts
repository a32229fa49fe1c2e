import * as tf from '@tensorflow/tfjs-core';
import { DSprites } from '@vae/data';
import { betaVaeScore, dciScores, factorVaeScore, mutualInformationGap, sapScore } from '@vae/metrics';
import { type BackendChoice, selectBackend } from '../backend';
import { CliError, EXIT } from '../errors';
import { isProbabilistic } from '../models';
import { loadTrainedModel, testCap } from '../shared';

export interface DisentangleOptions {
  model: string;
  full?: boolean;
  scale: number;
  seed: number;
  backend: BackendChoice;
  json: boolean;
}

/**
 * `vae disentangle`: the beta-VAE metric (Higgins et al. 2017), the FactorVAE metric (Kim and Mnih 2018), MIG
 * (Chen et al. 2018), DCI (Eastwood and Williams 2018, lasso importances) and SAP (Kumar et al. 2018) of a model
 * trained on the procedural dSprites, whose ground-truth factors are known. The default sizes are a tenth of
 * disentanglement_lib's; `--full` uses theirs.
 */
export async function disentangle(options: DisentangleOptions): Promise<number> {
  const backend = await selectBackend(options.backend);
  const { model } = await loadTrainedModel(options.model);
  const sprites = new DSprites();
  if (model.inputSize !== 64 * 64) {
    model.dispose();
    throw new CliError(
      `the model takes ${model.inputSize} values per image, not dSprites' 64x64; train one with --dataset dsprites.`,
      EXIT.usage,
    );
  }
  if (model.usesLabels) {
    model.dispose();
    throw new CliError('a conditional model needs labels to encode, and dSprites has none.', EXIT.usage);
  }
  // posterior means (VAEs) or codes (autoencoders)
  const represent = (x: tf.Tensor) =>
    tf.tidy(() =>
      isProbabilistic(model)
        ? model.encode(x).mean
        : (model as { encode(x: tf.Tensor): tf.Tensor2D }).encode(x),
    );
  // VAE_CLI_TEST_LIMIT (tests) caps the sizes: each point of the two first metrics is a batch of 64 images
  const scale = Math.min(options.full ? 1 : options.scale, testCap('VAE_CLI_TEST_LIMIT', 100_000) / 100_000);
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
  const points = testCap('VAE_CLI_TEST_LIMIT', Math.max(1000, Math.round(10000 * scale)));
  const mig = await mutualInformationGap(sprites, represent, { points, seed: options.seed });
  const dci = await dciScores(sprites, represent, { points, seed: options.seed });
  const sap = await sapScore(sprites, represent, { points, seed: options.seed });
  model.dispose();
  const result = {
    backend,
    sizes: scale === 1 ? 'disentanglement_lib' : `${scale} of disentanglement_lib's (--full for theirs)`,
    betaVae: Math.round(beta.score * 1e4) / 1e4,
    factorVae: Math.round(factor.score * 1e4) / 1e4,
    mig: Math.round(mig.score * 1e4) / 1e4,
    dci: {
      disentanglement: Math.round(dci.disentanglement * 1e4) / 1e4,
      completeness: Math.round(dci.completeness * 1e4) / 1e4,
      informativeness: Math.round(dci.informativeness * 1e4) / 1e4,
    },
    sap: Math.round(sap.score * 1e4) / 1e4,
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
        `DCI              disentanglement ${result.dci.disentanglement.toFixed(3)}, completeness ` +
          `${result.dci.completeness.toFixed(3)}, informativeness (held-out R^2) ${result.dci.informativeness.toFixed(3)}`,
        `SAP              ${result.sap.toFixed(3)}`,
        `MIG per factor   ${Object.entries(result.migPerFactor)
          .map(([k, v]) => `${k} ${Number.isNaN(v) ? 'n/a' : v.toFixed(3)}`)
          .join(', ')}`,
        `(${result.sizes})`,
      ].join('\n') + '\n',
    );
  }
  return 0;
}

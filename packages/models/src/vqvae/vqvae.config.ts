import { checkModelConfig, checkNumber, checkOneOf, configError, type ModelConfig } from '../base/config';
import { VQ_VAE_DEFAULTS } from './vqvae.options';

/** How the codebook learns: its own loss term (the paper's main text), or moving averages (its appendix). */
export type CodebookUpdate = 'loss' | 'ema';

/** The prior over codes that `sample` draws from. */
export type CodePrior = 'categorical' | 'autoregressive';

/** Configuration of a VQ-VAE. Plain JSON: it is saved with the model. */
export interface VQVAEConfig extends ModelConfig {
  /** Observation model p(x|z_q): Bernoulli (pixels in [0, 1]) or Gaussian with a fixed `variance`. */
  likelihood: 'bernoulli' | 'gaussian';
  /** Variance of the Gaussian decoder (> 0). */
  variance: number;
  /** Output activation of the Gaussian mean. */
  meanActivation: 'linear' | 'sigmoid';
  /** Code vectors per example: the encoder's output is `positions` rows of `embeddingDim` values. */
  positions: number;
  /** Width d of each code vector and codebook entry. */
  embeddingDim: number;
  /** K, the codebook's entries. */
  codebookSize: number;
  /** beta of the commitment term beta ||z_e - sg[e]||^2 (the paper's 0.25). */
  commitment: number;
  /** 'loss': ||sg[z_e] - e||^2 trains the codebook; 'ema': exponential moving averages of the assigned codes. */
  codebookUpdate: CodebookUpdate;
  /** Decay of the moving averages ('ema'; the paper's 0.99). */
  emaDecay: number;
  /**
   * The learned prior over the code indices, trained jointly (it gets no gradient into the encoder): 'categorical',
   * one distribution per position; 'autoregressive', p(k_i | k_<i) from a masked linear layer over the one-hot
   * codes before it (MADE-style).
   */
  codePrior: CodePrior;
  /** positions * embeddingDim: the size of the quantized code the decoder takes (derived). */
  latentDim: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { VQ_VAE_DEFAULTS };

export function resolveVQVAEConfig(config: Partial<VQVAEConfig> = {}): VQVAEConfig {
  const name = 'VQVAE';
  const merged = { ...VQ_VAE_DEFAULTS, ...config };
  for (const field of ['positions', 'embeddingDim', 'codebookSize'] as const) {
    if (!Number.isInteger(merged[field]) || merged[field] < 1) {
      configError(name, `${field} must be a positive integer, got ${merged[field]}.`);
    }
  }
  const latentDim = merged.positions * merged.embeddingDim;
  if (config.latentDim !== undefined && config.latentDim !== latentDim) {
    configError(
      name,
      `latentDim is positions x embeddingDim = ${latentDim}, got ${config.latentDim}; set positions and ` +
        'embeddingDim instead (or leave latentDim out).',
    );
  }
  const resolved: VQVAEConfig = { ...merged, latentDim };
  checkModelConfig(name, resolved);
  checkOneOf(name, 'likelihood', resolved.likelihood, ['bernoulli', 'gaussian'] as const);
  checkNumber(name, 'variance', resolved.variance, (v) => v > 0, 'a number > 0');
  checkOneOf(name, 'meanActivation', resolved.meanActivation, ['linear', 'sigmoid'] as const);
  checkNumber(name, 'commitment', resolved.commitment, (v) => v >= 0, 'a number >= 0');
  checkOneOf(name, 'codebookUpdate', resolved.codebookUpdate, ['loss', 'ema'] as const);
  checkNumber(name, 'emaDecay', resolved.emaDecay, (v) => v >= 0 && v < 1, 'a number in [0, 1)');
  checkOneOf(name, 'codePrior', resolved.codePrior, ['categorical', 'autoregressive'] as const);
  if (
    resolved.codePrior === 'autoregressive' &&
    (resolved.positions * resolved.codebookSize) ** 2 > 2 ** 26
  ) {
    configError(
      name,
      `the autoregressive prior holds (positions x codebookSize)^2 = ${(resolved.positions * resolved.codebookSize) ** 2} ` +
        "weights, more than 2^26; use fewer positions or codes, or codePrior 'categorical'.",
    );
  }
  return resolved;
}

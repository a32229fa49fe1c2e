import { MMD_KERNELS, type MmdKernel } from '@vae/core';
import { checkNumber, checkOneOf, configError } from '../base/config';
import { checkVAEConfig, VAE_DEFAULTS, type VAEConfig } from '../vae/vae.config';

/**
 * An InfoVAE: reconstruction + (1 - alpha) KL(q(z|x) || p(z)) + (alpha + lambda - 1) MMD(q(z), p(z)). alpha = 1
 * drops the per-example KL: the MMD Wasserstein autoencoder (WAE-MMD) with a Gaussian encoder, weight lambda.
 */
export interface InfoVAEConfig extends VAEConfig {
  /** alpha of Zhao et al.: the KL term is weighted 1 - alpha (so alpha <= 1). */
  alpha: number;
  /** lambda of Zhao et al.: the MMD term is weighted alpha + lambda - 1 (so alpha + lambda >= 1). */
  lambda: number;
  /** The MMD's kernel: 'rbf' or 'imq' (inverse multiquadric). */
  kernel: MmdKernel;
  /** The kernel's scale C; default 2 latentDim (core's `maximumMeanDiscrepancy`). */
  bandwidth?: number;
  /** Multiples of C whose kernels are summed. */
  kernelScales: number[];
}

/**
 * alpha = 1 (no KL: WAE-MMD) and lambda = 100 with Tolstikhin et al.'s inverse multiquadric kernel summed over
 * scales 0.1 to 10 of C = 2 latentDim.
 */
export const INFO_VAE_DEFAULTS: InfoVAEConfig = {
  ...VAE_DEFAULTS,
  alpha: 1,
  lambda: 100,
  kernel: 'imq',
  kernelScales: [0.1, 0.2, 0.5, 1, 2, 5, 10],
};

export function resolveInfoVAEConfig(config: Partial<InfoVAEConfig> = {}): InfoVAEConfig {
  const resolved: InfoVAEConfig = { ...INFO_VAE_DEFAULTS, ...config };
  const name = 'InfoVAE';
  checkVAEConfig(name, resolved);
  checkNumber(
    name,
    'alpha',
    resolved.alpha,
    (v) => v <= 1,
    'a finite number <= 1 (the KL weight is 1 - alpha)',
  );
  checkNumber(
    name,
    'lambda',
    resolved.lambda,
    (v) => resolved.alpha + v >= 1,
    `a finite number >= 1 - alpha (${1 - resolved.alpha}): the MMD weight is alpha + lambda - 1`,
  );
  checkOneOf(name, 'kernel', resolved.kernel, MMD_KERNELS);
  if (resolved.bandwidth !== undefined) {
    checkNumber(name, 'bandwidth', resolved.bandwidth, (v) => v > 0, 'a number > 0');
  }
  const scales = resolved.kernelScales;
  if (!Array.isArray(scales) || scales.length === 0 || scales.some((s) => !(s > 0) || !Number.isFinite(s))) {
    configError(name, `kernelScales must be a non-empty list of numbers > 0, got ${JSON.stringify(scales)}.`);
  }
  return resolved;
}

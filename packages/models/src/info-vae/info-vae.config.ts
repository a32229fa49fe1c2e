import { MMD_KERNELS, type MmdKernel } from '@vae/core';
import { checkNumber, checkOneOf, configError } from '../base/config';
import { checkVAEConfig, type VAEConfig } from '../vae/vae.config';
import { INFO_VAE_DEFAULTS } from './info-vae.options';

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

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { INFO_VAE_DEFAULTS };

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

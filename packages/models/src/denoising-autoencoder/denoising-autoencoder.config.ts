import { type AutoencoderConfig, checkAutoencoderConfig } from '../autoencoder/autoencoder.config';
import { checkNumber, checkOneOf } from '../base/config';
import { DENOISING_AUTOENCODER_DEFAULTS } from './denoising-autoencoder.options';

/** A denoising autoencoder: it reconstructs the clean input from a corrupted one. */
export interface DenoisingAutoencoderConfig extends AutoencoderConfig {
  /** 'masking': each input value is set to 0 with probability q; 'gaussian': additive N(0, sigma^2) noise. */
  noise: 'masking' | 'gaussian';
  /** q for masking noise (in [0, 1)), sigma for Gaussian noise (>= 0). */
  noiseLevel: number;
}

// the defaults live with the option descriptions (tfjs-free, read by the CLI's --help)
export { DENOISING_AUTOENCODER_DEFAULTS };

export function resolveDenoisingAutoencoderConfig(
  config: Partial<DenoisingAutoencoderConfig> = {},
): DenoisingAutoencoderConfig {
  const className = 'DenoisingAutoencoder';
  const resolved: DenoisingAutoencoderConfig = { ...DENOISING_AUTOENCODER_DEFAULTS, ...config };
  checkAutoencoderConfig(className, resolved);
  checkOneOf(className, 'noise', resolved.noise, ['masking', 'gaussian'] as const);
  if (resolved.noise === 'masking') {
    checkNumber(
      className,
      'noiseLevel',
      resolved.noiseLevel,
      (v) => v >= 0 && v < 1,
      'q in [0, 1) for masking noise',
    );
  } else {
    checkNumber(className, 'noiseLevel', resolved.noiseLevel, (v) => v >= 0, 'sigma >= 0 for Gaussian noise');
  }
  return resolved;
}

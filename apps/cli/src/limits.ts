/**
 * Caps on what options make the CLI allocate or compute: the number of images a figure decodes, the codes a
 * command writes, the importance samples of `vae eval`, the rows of a training step and the size of a model.
 * The defaults keep one command's memory well under 1 GB (peak memory measured at the cap: `sample -n 4096` about
 * 150 MB for MNIST, 510 MB for 64x64 dSprites with a conv decoder, of which 350 MB is there for one image); `--allow-large` lifts them, up to the hard
 * ranges of parse.ts. A refused size is a usage error (exit 2).
 * Nothing here imports tfjs, so the checks that need no model run before anything heavy loads.
 */
import { CliError, EXIT } from './errors';

export const CAPS = {
  /** Images decoded into one PNG: `sample -n`, `manifold --steps` squared, `traverse` steps x dimensions. */
  images: 4_096,
  /** `reconstruct -n`: one row of originals above one row of reconstructions. */
  reconstructions: 1_000,
  /** `interpolate --steps`: one row. */
  strip: 1_000,
  /** Code values written by `embed` and `export --codes` (examples x latent dimensions). */
  codeValues: 5_000_000,
  /** Decoder passes of `eval`'s importance sampling: --k x examples (5000 x the 10,000 MNIST test images). */
  decodes: 50_000_000,
  /** Rows of one training step: --batch-size x --samples x IWAE's --k. */
  rowsPerStep: 32_768,
  /** Weights of a model to train (about 16 bytes each while training with Adam). */
  parameters: 20_000_000,
} as const;

const format = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Refuses `amount` over `cap` unless --allow-large: "<what> makes <amount> <unit>, more than the limit of <cap>;
 * ask for less, or pass --allow-large ...".
 */
export function checkSize(
  options: { allowLarge?: boolean },
  what: string,
  amount: number,
  cap: number,
  unit: string,
): void {
  if (options.allowLarge || amount <= cap) return;
  throw new CliError(
    `${what} makes ${format(amount)} ${unit}, more than the limit of ${format(cap)}; ask for less, or pass ` +
      '--allow-large to go past the limit (it needs more memory and time).',
    EXIT.usage,
  );
}

/**
 * About how many weights a model of this configuration has (dense layers of the encoder and the decoder, and the
 * strided 4x4 convolutions of --network conv), counted before it is built so that a huge --hidden never allocates.
 * An upper estimate: the encoder's output counts twice (mean and log-variance) and so does the decoder's.
 */
export function estimateParameters(config: {
  inputShape: number[];
  latentDim?: number;
  hiddenUnits: number[];
  network?: string;
  filters?: number[];
  numClasses?: number;
}): number {
  const [height, width = 1, channels = 1] = config.inputShape;
  const inputSize = config.inputShape.reduce((a, b) => a * b, 1);
  let flat = inputSize;
  let total = 0;
  if (config.network === 'conv') {
    const filters = config.filters ?? [32, 32, 64, 64];
    let inChannels = channels;
    for (const f of filters) {
      total += 2 * (16 * inChannels * f + f); // encoder and mirrored decoder
      inChannels = f;
    }
    const factor = 2 ** filters.length;
    flat = Math.ceil(height / factor) * Math.ceil(width / factor) * filters[filters.length - 1];
  }
  const extra = config.numClasses ?? 0;
  const dense = (sizes: number[]) => {
    let n = 0;
    for (let i = 1; i < sizes.length; i++) n += sizes[i - 1] * sizes[i] + sizes[i];
    return n;
  };
  const hidden = config.hiddenUnits;
  // A VQ-VAE has no --latent-dim: its code is positions x embeddingDim values, plus a codebook of K x embeddingDim.
  const vq = config.latentDim === undefined ? vqSizes(config) : undefined;
  const latentDim = config.latentDim ?? vq?.latentDim ?? 0;
  total += dense([flat + extra, ...hidden, 2 * latentDim]);
  total += dense([latentDim + extra, ...[...hidden].reverse(), 2 * flat]);
  total += vq?.codebook ?? 0;
  return total;
}

/** The code size and codebook of a VQ-VAE config (positions, embeddingDim, codebookSize), when it has them. */
function vqSizes(config: object): { latentDim: number; codebook: number } | undefined {
  const { positions, embeddingDim, codebookSize } = config as Record<string, unknown>;
  if (typeof positions !== 'number' || typeof embeddingDim !== 'number') return undefined;
  return {
    latentDim: positions * embeddingDim,
    codebook: typeof codebookSize === 'number' ? codebookSize * embeddingDim : 0,
  };
}

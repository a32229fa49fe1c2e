/**
 * Which `vae train` options apply to which model, checked before anything heavy loads: a misapplied option is a
 * one-line usage error (exit code 2) right away.
 */
import { MODEL_CHOICES, type ModelName } from './choices';
import { CliError, EXIT } from './errors';

const VAE_FAMILY: ModelName[] = ['vae', 'beta-vae', 'conditional-vae', 'iwae'];
/** The IWAE bound has no separate KL term: no beta, no KL schedule. */
const KL_WEIGHTED: ModelName[] = ['vae', 'beta-vae', 'conditional-vae'];
const AUTOENCODERS: ModelName[] = MODEL_CHOICES.filter((m) => !VAE_FAMILY.includes(m));
const ALL = MODEL_CHOICES;

/** The model options of `vae train` (camel case, as commander names them) and the models they apply to. */
export const MODEL_OPTIONS = {
  latentDim: ALL,
  hidden: ALL.filter((m) => m !== 'linear-autoencoder'),
  activation: ALL.filter((m) => m !== 'linear-autoencoder'),
  network: ALL.filter((m) => m !== 'linear-autoencoder' && m !== 'tied-autoencoder'),
  filters: ALL.filter((m) => m !== 'linear-autoencoder' && m !== 'tied-autoencoder'),
  codeActivation: AUTOENCODERS.filter((m) => m !== 'linear-autoencoder'),
  weightDecay: AUTOENCODERS,
  noise: ['denoising-autoencoder'],
  noiseLevel: ['denoising-autoencoder'],
  sparsity: ['sparse-autoencoder'],
  sparsityTarget: ['sparse-autoencoder'],
  sparsityWeight: ['sparse-autoencoder'],
  contractiveWeight: ['contractive-autoencoder'],
  decoder: VAE_FAMILY,
  variance: VAE_FAMILY,
  samples: VAE_FAMILY,
  beta: KL_WEIGHTED,
  capacity: ['beta-vae'],
  capacityGamma: ['beta-vae'],
  capacitySteps: ['beta-vae'],
  k: ['iwae'],
  numClasses: ['conditional-vae'],
  klSchedule: KL_WEIGHTED,
  klSteps: KL_WEIGHTED,
  klFrom: KL_WEIGHTED,
  klTo: KL_WEIGHTED,
  klDelay: KL_WEIGHTED,
  klCycles: KL_WEIGHTED,
  klRamp: KL_WEIGHTED,
} as const satisfies Record<string, readonly ModelName[]>;

export type ModelOptionName = keyof typeof MODEL_OPTIONS;

/** The model options as `vae train` receives them (undefined = not given: the model's default). */
export interface ModelOptions {
  model: ModelName;
  latentDim?: number;
  hidden?: number[];
  activation?: string;
  network?: 'mlp' | 'conv';
  filters?: number[];
  codeActivation?: string;
  weightDecay?: number;
  noise?: 'masking' | 'gaussian';
  noiseLevel?: number;
  sparsity?: 'kl' | 'l1';
  sparsityTarget?: number;
  sparsityWeight?: number;
  contractiveWeight?: number;
  decoder?: 'bernoulli' | 'gaussian' | 'gaussian-learned';
  variance?: number;
  samples?: number;
  beta?: number;
  capacity?: number;
  capacityGamma?: number;
  capacitySteps?: number;
  k?: number;
  numClasses?: number;
  klSchedule?: 'constant' | 'linear' | 'cyclical' | 'cosine';
  klSteps?: number;
  klFrom?: number;
  klTo?: number;
  klDelay?: number;
  klCycles?: number;
  klRamp?: number;
}

const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Rejects options that do not apply to the chosen model, with the models they do apply to (exit code 2). */
export function checkModelOptions(options: ModelOptions): void {
  for (const [key, models] of Object.entries(MODEL_OPTIONS) as Array<
    [ModelOptionName, readonly ModelName[]]
  >) {
    if (options[key] === undefined || models.includes(options.model)) continue;
    throw new CliError(
      `${flag(key)} does not apply to --model ${options.model}; it applies to ${models.join(', ')}. ` +
        `Drop ${flag(key)} or pick one of those models.`,
      EXIT.usage,
    );
  }
  if (options.variance !== undefined && options.decoder !== 'gaussian') {
    throw new CliError('--variance applies to --decoder gaussian only; add --decoder gaussian.', EXIT.usage);
  }
  const scheduleParts = (['klSteps', 'klFrom', 'klTo', 'klDelay', 'klCycles', 'klRamp'] as const).filter(
    (key) => options[key] !== undefined,
  );
  if (scheduleParts.length && (options.klSchedule === undefined || options.klSchedule === 'constant')) {
    throw new CliError(
      `${scheduleParts.map(flag).join(', ')} shape a KL schedule; add --kl-schedule linear, cyclical or cosine.`,
      EXIT.usage,
    );
  }
  if (options.capacity === undefined && (options.capacityGamma ?? options.capacitySteps) !== undefined) {
    throw new CliError('--capacity-gamma and --capacity-steps need --capacity <nats>.', EXIT.usage);
  }
  if (options.capacity !== undefined && options.klSchedule !== undefined) {
    throw new CliError(
      '--capacity is a KL schedule of its own; drop --kl-schedule or --capacity.',
      EXIT.usage,
    );
  }
}

/**
 * A VAE with a learned prior, the two of Tomczak and Welling, "VAE with a VampPrior" (AISTATS 2018):
 *
 * - 'mixture': a mixture of Gaussians p(z) = sum_k w_k N(z; mu_k, diag(sigma_k^2)) with learned weights (softmax of
 *   logits), means and log-variances;
 * - 'vamp': the "variational mixture of posteriors" p(z) = 1/K sum_k q(z|u_k), the encoder's own posterior at K
 *   learned pseudo-inputs u_k (kept in [0, 1], the paper's hard tanh, when the data are: Bernoulli or sigmoid
 *   decoders).
 *
 * The KL term has no closed form with these priors, so it is the single-sample Monte Carlo estimate of the paper,
 * log q(z|x) - log p(z) at the same reparameterized z as the reconstruction term (averaged over `samples` draws).
 * The model keeps the probabilistic contract of core: `logPrior` is the learned prior, so the ELBO and the
 * importance-sampled log p(x) of `@vae/metrics` (and `posteriorLogWeights`) measure it unchanged. The log-density
 * is core's `mixtureLogDensity`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DiagonalGaussian, type Labels, mixtureLogDensity, Random, uniqueVariableName } from '@vae/core';
import { type CustomNetworks, VAE } from '../vae/vae.model';
import { type PriorVAEConfig, resolvePriorVAEConfig } from './prior-vae.config';

export class PriorVAE extends VAE {
  static override readonly className: string = 'PriorVAE';
  declare readonly config: PriorVAEConfig;
  /** The prior's variables by saved name ('prior/means', 'prior/logVars', 'prior/logits' or 'prior/pseudoInputs'). */
  private readonly priorVariables: Record<string, tf.Variable>;

  static override resolveConfig(config: Partial<PriorVAEConfig>): PriorVAEConfig {
    return resolvePriorVAEConfig(config);
  }

  constructor(config: Partial<PriorVAEConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
    const { components: k, prior, seed } = this.config;
    // A seed of its own for the prior's initial values, derived from the model's seed.
    const initSeed = seed === undefined ? undefined : new Random(seed + 7919).nextSeed();
    const variable = (name: string, value: () => tf.Tensor) =>
      tf.tidy(() => tf.variable(value(), true, uniqueVariableName(name)));
    this.priorVariables =
      prior === 'mixture'
        ? {
            // Means spread like draws from N(0, I), so the components start apart; unit variances, equal weights.
            'prior/means': variable('prior/means', () =>
              tf.randomNormal([k, this.latentDim], 0, 1, 'float32', initSeed),
            ),
            'prior/logVars': variable('prior/logVars', () => tf.zeros([k, this.latentDim])),
            'prior/logits': variable('prior/logits', () => tf.zeros([k])),
          }
        : {
            // The paper's initialization: N(0.05, 0.01^2) per pixel.
            'prior/pseudoInputs': variable('prior/pseudoInputs', () =>
              tf.randomNormal([k, this.inputSize], 0.05, 0.01, 'float32', initSeed),
            ),
          };
  }

  override get variables(): Record<string, tf.Variable> {
    return { ...super.variables, ...this.priorVariables };
  }

  /** Whether the data live in [0, 1] (then pseudo-inputs are clipped to it, the paper's hard tanh). */
  private get unitInterval(): boolean {
    return this.config.likelihood === 'bernoulli' || this.config.meanActivation === 'sigmoid';
  }

  /** The pseudo-inputs u_k as the encoder sees them, [K, inputSize] ('vamp' only). */
  pseudoInputs(): tf.Tensor2D {
    this.assertAlive();
    const raw = this.priorVariables['prior/pseudoInputs'];
    if (!raw)
      throw new Error(`${this.className}.pseudoInputs: the prior is '${this.config.prior}', not 'vamp'.`);
    return tf.tidy(() => (this.unitInterval ? tf.clipByValue(raw, 0, 1) : tf.clone(raw)) as tf.Tensor2D);
  }

  /**
   * The prior's components: means and log-variances [K, latentDim] and normalized log-weights [K]. For the
   * VampPrior, the encoder's posterior at the pseudo-inputs with weights 1/K.
   */
  priorComponents(): { means: tf.Tensor2D; logVars: tf.Tensor2D; logWeights: tf.Tensor1D } {
    this.assertAlive();
    return tf.tidy(() => {
      const v = this.priorVariables;
      if (this.config.prior === 'mixture') {
        return {
          means: tf.clone(v['prior/means']) as tf.Tensor2D,
          logVars: tf.clone(v['prior/logVars']) as tf.Tensor2D,
          logWeights: tf.logSoftmax(v['prior/logits']) as tf.Tensor1D,
        };
      }
      // dataInput false: the pseudo-inputs are trained, so the encoder passes gradients back to them.
      const { mean, logVar } = this.encodeRows(this.pseudoInputs(), undefined, false);
      const k = this.config.components;
      return { means: mean, logVars: logVar, logWeights: tf.fill([k], -Math.log(k)) as tf.Tensor1D };
    });
  }

  /** log p(z) per code under the learned prior, [batch], nats. Labels are accepted for the contract and not used. */
  override logPrior(z: tf.Tensor, _labels?: Labels): tf.Tensor1D {
    this.checkCodes(z);
    return tf.tidy(() => mixtureLogDensity(z, this.priorComponents()));
  }

  /** The draws with log q(z|x) at each (the Monte Carlo KL below needs it). */
  protected override posteriorDraws(
    mean: tf.Tensor2D,
    logVar: tf.Tensor2D,
    seed: number | undefined,
  ): { z: tf.Tensor2D; logQ: tf.Tensor2D } {
    const samples = this.config.samples;
    const { z, logProb } = new DiagonalGaussian(mean, logVar).sampleWithLogProb({ seed, samples });
    return {
      z: tf.reshape(z, [samples * mean.shape[0], this.latentDim]) as tf.Tensor2D,
      logQ: tf.reshape(logProb, [samples, mean.shape[0]]) as tf.Tensor2D,
    };
  }

  /** The Monte Carlo KL per row: log q(z|x) - log p(z) at the reconstruction term's draws, averaged over them. */
  protected override klRows(
    mean: tf.Tensor2D,
    _logVar: tf.Tensor2D,
    draws: { z: tf.Tensor2D; logQ?: tf.Tensor2D },
  ): tf.Tensor1D {
    const logQ = draws.logQ;
    if (!logQ) throw new Error(`${this.className}: the Monte Carlo KL needs log q(z|x) at the draws.`);
    const logPrior = tf.reshape(mixtureLogDensity(draws.z, this.priorComponents()), [-1, mean.shape[0]]);
    return tf.mean(tf.sub(logQ, logPrior), 0) as tf.Tensor1D;
  }

  /**
   * Decodes `count` draws from the learned prior: a component k (by its weight; uniform over pseudo-inputs for the
   * VampPrior), then z ~ N(mu_k, temperature^2 sigma_k^2). [count, ...inputShape].
   */
  override sample(
    count: number,
    options: { temperature?: number; seed?: number; labels?: Labels | number } = {},
  ) {
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`${this.className}.sample: count must be a positive integer, got ${count}.`);
    }
    const temperature = options.temperature ?? 1;
    if (!(temperature > 0)) {
      throw new Error(`${this.className}.sample: temperature must be > 0, got ${temperature}.`);
    }
    const random = new Random(options.seed ?? Math.floor(Math.random() * 2 ** 31));
    return tf.tidy(() => {
      const { means, logVars, logWeights } = this.priorComponents();
      const chosen = tf.multinomial(
        tf.expandDims(logWeights, 0) as tf.Tensor2D,
        count,
        random.nextSeed(),
        false,
      );
      const picked = tf.reshape(chosen, [count]) as tf.Tensor1D;
      const mu = tf.gather(means, picked);
      const sigma = tf.exp(tf.mul(0.5, tf.gather(logVars, picked)));
      const noise = tf.randomNormal([count, this.latentDim], 0, temperature, 'float32', random.nextSeed());
      return this.decode(tf.add(mu, tf.mul(sigma, noise)));
    });
  }
}

/** The model cards of the pretrained models: what each was trained on, how, and what it measures. */

/** One measurement of a model on a fixed set of test images (nats per image, one posterior sample each). */
export interface CardEvaluation {
  /** Which images, exactly (a fixed slice, so that anyone re-measures the same numbers). */
  images: string;
  /** How many images. */
  count: number;
  /** `evaluateElbo` of @vae/metrics with this seed (one reparameterized sample per image) and batch size 500. */
  seed: number;
  /** −ELBO, nats per image (reconstruction + KL). */
  negativeElbo: number;
  /** Expected negative log-likelihood of the image under the decoder, nats per image. */
  reconstruction: number;
  /** KL(q(z|x) ‖ p(z)), nats per image. */
  kl: number;
  /**
   * Importance-sampled −log p(x) (`importanceSampledLogLikelihood`, Burda et al. 2016), nats per image, with
   * `importanceSamples` samples per image and this seed: a tighter bound than −ELBO (cards that compare priors).
   */
  isNll?: number;
  /** k of `isNll`. */
  importanceSamples?: number;
  /** Latent dimensions whose posterior mean varies over the images (variance above 0.01, `latentHealth`). */
  activeUnits: number;
  /** dSprites models: the mutual information gap of the posterior means (`mutualInformationGap`), over `migPoints`. */
  mig?: number;
  migPoints?: number;
}

/** A model measured like a card's model, on the same images (e.g. the same VAE with the standard prior). */
export interface CardComparison {
  /** Which model, in words (a shipped model's name in backquotes, or how it was trained). */
  model: string;
  negativeElbo: number;
  isNll: number;
  kl: number;
}

/** A model card (also shipped as `models/<name>/card.json` and `card.md`). */
export interface ModelCard {
  name: string;
  /** One line: the model and what it is for. */
  summary: string;
  /** The saved class (`VAE`, `BetaVAE`, ...): `fromPretrained(name, { as })` may name it or a base class. */
  className: string;
  /** Layer sizes, e.g. "784-400-20 (one hidden layer of 400 ReLU units), Bernoulli decoder". */
  architecture: string;
  /** The model's saved config (as `loadModel` restores it). */
  config: Record<string, unknown>;
  data: {
    /** The data set's name in @vae/data and `vae train --dataset`: 'mnist', 'fashion-mnist', 'frey-face' or 'dsprites'. */
    name: string;
    /** Its title. */
    dataset: string;
    /** The training images. */
    train: string;
    /** The test images that `evaluation` measures. */
    test: string;
    /** Where the data comes from. */
    source: string;
  };
  training: {
    /** The command that trains it, from the repository root. */
    command: string;
    /**
     * The demo's model of the same recipe and files (apps/demo/public/models/<demoModel> in the repository); absent
     * for the models that `scripts/train-pretrained.mjs` trains.
     */
    demoModel?: string;
    /** The pretrained model whose weights training started from, if any. */
    startedFrom?: string;
    epochs: number;
    /** Optimizer updates (the models of `scripts/train-pretrained.mjs`). */
    steps?: number;
    batchSize: number;
    optimizer: string;
    seed: number;
    /** Wall-clock seconds of the training run (on a 2-core machine shared with other jobs: an upper bound). */
    seconds: number;
    backend: string;
    /** The −ELBO that training reported at the end on its test split (`testSplit`), nats per image. */
    testLoss: number;
    testSplit: string;
    /** The training −ELBO of the last epoch (averaged over its steps, as `vae train` reports it). */
    trainLoss: number;
  };
  /** Test numbers; `test` re-measures `evaluation` within `tolerance` (see the package's tests). */
  evaluation: CardEvaluation;
  /** Other models measured the same way on the same images, for comparison (the VampPrior's card). */
  comparison?: CardComparison[];
  /** Largest difference (nats) allowed between `evaluation` and a re-measurement on another tfjs backend. */
  tolerance: number;
  weights: {
    /** SHA-256 (hex) of the weight bytes: `fromPretrained` loads only these weights. */
    sha256: string;
    bytes: number;
    dtype: 'float16' | 'float32';
    parameters: number;
  };
  /** How to make it again, from the repository root. */
  reproduce: string;
}

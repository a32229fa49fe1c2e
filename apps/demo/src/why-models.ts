/**
 * The models and measurements of the "Why a VAE" view (views/why.ts), apart from the page so that the test that
 * recomputes its numbers in Node (`test/parity.test.ts`) reads the same ones. One recipe, three objectives:
 * 784-128-2 on MNIST, 10 epochs, seed 1 (`scripts/prepare-model.mjs`).
 */

/** A plain autoencoder (linear 2-D code, like the VAE's mean): reconstruction only. */
export const AE_2D_MODEL = 'mnist-ae-2d';
/** The VAE: reconstruction + KL (beta 1). */
export const VAE_2D_SMALL_MODEL = 'mnist-vae-2d-small';
/** A beta-VAE: reconstruction + 4 x KL. */
export const BETA_VAE_2D_MODEL = 'mnist-beta-vae-2d';

/** The three, in the order shown. */
export const WHY_MODELS = [
  { name: AE_2D_MODEL, key: 'ae', title: 'Plain autoencoder', objective: 'trained on reconstruction only' },
  { name: VAE_2D_SMALL_MODEL, key: 'vae', title: 'VAE (β = 1)', objective: 'trained on reconstruction + KL' },
  {
    name: BETA_VAE_2D_MODEL,
    key: 'beta',
    title: 'β-VAE (β = 4)',
    objective: 'trained on reconstruction + 4 × KL',
  },
] as const;

/** Test digits encoded and measured: the first 2000 of the MNIST test set. */
export const WHY_EXAMPLES = 2000;
/** Seed of the ELBO's one reparameterized sample per digit (`evaluateElbo`). */
export const ELBO_SEED = 0;

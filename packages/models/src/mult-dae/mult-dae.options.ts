/** The options of Mult-DAE (see base/options.ts and mult-vae.options.ts). Types only are imported: no tfjs. */
import type { ModelOptionsDescription } from '../base/options';
import { multinomialOptions } from '../mult-vae/mult-vae.options';

export const MULT_DAE_OPTIONS: ModelOptionsDescription = /* @__PURE__ */ ((): ModelOptionsDescription => ({
  className: 'MultDAE',
  name: 'mult-dae',
  title: 'Mult-DAE (Liang et al. 2018): a denoising autoencoder of click rows with a multinomial likelihood',
  family: 'recommender',
  options: multinomialOptions(0.01),
}))();

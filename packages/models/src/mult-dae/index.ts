export { MULT_DAE_DEFAULTS, type MultDAEConfig, resolveMultDAEConfig } from '../mult-vae/mult-vae.config';
export { MultDAE } from './mult-dae.model';

export { IWAE_DEFAULTS, type IWAEConfig, resolveIWAEConfig } from './iwae.config';
export { IWAE } from './iwae.model';

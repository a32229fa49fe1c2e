export { type ElboEstimate, type ElboOptions, evaluateElbo } from './elbo';

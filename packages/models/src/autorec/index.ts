export { AUTOREC_DEFAULTS, type AutoRecConfig, resolveAutoRecConfig } from './autorec.config';
export { AutoRec, type RatingPairs } from './autorec.model';

export { M1M2, m2ConfigForCodes } from './m1m2';
export { M2_DEFAULTS, type M2Config, m2Alpha, resolveM2Config } from './m2.config';
export { M2, type M2BoundTerms } from './m2.model';

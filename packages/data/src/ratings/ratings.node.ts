/** Reading rating files in Node (re-exported by `@vae/data/node`): untrusted input, see SECURITY.md. */
import { readRegularFile } from '../files.node.js';
import { checkMaxBytes } from '../limits';
import { type ParseRatingsOptions, parseRatings, type RatingFormat } from './parse';
import type { RatingSet } from './rating-set';

/** Largest rating file read unless raised: 1 GiB (ML-25M's ratings.csv is 647 MiB). */
export const RATINGS_MAX_BYTES = 1024 ** 3;

export interface ReadRatingsOptions extends Omit<ParseRatingsOptions, 'format'> {
  /** The layout; default from the file name: `u.data` -> movielens-100k, `*.dat` -> movielens-dat, `ratings.csv` -> movielens-csv, `*.tsv` -> tsv, else csv. */
  format?: RatingFormat;
  /** Largest file accepted, in bytes. Default `RATINGS_MAX_BYTES`. */
  maxBytes?: number;
}

/** The layout a rating file's name implies. */
export function ratingFormatOf(path: string): RatingFormat {
  const name = path.split(/[\\/]/).pop()?.toLowerCase() ?? '';
  if (name === 'u.data' || /^u\d\.(base|test)$|^u[ab]\.(base|test)$/.test(name)) return 'movielens-100k';
  if (name.endsWith('.dat')) return 'movielens-dat';
  if (name === 'ratings.csv') return 'movielens-csv';
  if (name.endsWith('.tsv') || name.endsWith('.tab')) return 'tsv';
  return 'csv';
}

/**
 * Reads a rating file: a regular file of at most `maxBytes`, decoded as UTF-8, parsed by `parseRatings` (errors name
 * the file and the line).
 */
export async function readRatingsFile(path: string, options: ReadRatingsOptions = {}): Promise<RatingSet> {
  const { maxBytes: maxOption, format, ...parseOptions } = options;
  const maxBytes = checkMaxBytes(maxOption, RATINGS_MAX_BYTES, 'readRatingsFile');
  const bytes = await readRegularFile(path, {
    maxBytes,
    what: 'a rating file',
    fix: 'if the file is genuine, pass maxBytes to readRatingsFile to raise the limit.',
  });
  const text = new TextDecoder('utf-8').decode(bytes);
  return parseRatings(text, { source: path, ...parseOptions, format: format ?? ratingFormatOf(path) });
}

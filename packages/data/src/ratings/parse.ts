/**
 * Readers for rating files: the MovieLens layouts and plain CSV/TSV triples. Files are untrusted input: every line
 * is checked (field count, delimiter, numbers, ranges) and an error names the line and says what to do; nothing is
 * silently skipped except blank lines. Duplicate (user, item) pairs follow a documented policy (default: the last
 * one wins, as a later edit of the same rating).
 *
 * | format | file | line |
 * |---|---|---|
 * | `movielens-100k` | ML-100K `u.data` | `user<TAB>item<TAB>rating<TAB>timestamp` |
 * | `movielens-dat` | ML-1M, ML-10M `ratings.dat` | `user::item::rating::timestamp` |
 * | `movielens-csv` | ML-20M, ML-25M, latest `ratings.csv` | header `userId,movieId,rating,timestamp`, then `u,i,r,t` |
 * | `csv`, `tsv` | your own | `user,item,rating[,timestamp]`; a header line is recognised when its rating field is not a number |
 */
import { type DuplicatePolicy, type RatingSet, RatingSetBuilder } from './rating-set';

export type RatingFormat = 'movielens-100k' | 'movielens-dat' | 'movielens-csv' | 'csv' | 'tsv';

export const RATING_FORMATS: readonly RatingFormat[] = [
  'movielens-100k',
  'movielens-dat',
  'movielens-csv',
  'csv',
  'tsv',
];

/** Most ratings a reader accepts unless raised: 50 million (ML-25M has 25 million). */
export const RATINGS_MAX = 50_000_000;

export interface ParseRatingsOptions {
  /** The layout (see the table above). */
  format: RatingFormat;
  /** What to do with a (user, item) pair rated again. Default 'last' (the later line wins). */
  duplicates?: DuplicatePolicy;
  /** Allowed ratings, inclusive, e.g. [0.5, 5] for MovieLens latest; a rating outside is an error naming the line. */
  range?: readonly [number, number];
  /**
   * Ids must be integers in [0, 2^31) (MovieLens ids are). Default true for the MovieLens formats, false for csv/tsv
   * (any non-empty string is an id).
   */
  integerIds?: boolean;
  /** For csv/tsv: whether the first line is a header. Default: when its rating field is not a number. */
  header?: boolean;
  /** Most ratings accepted. Default `RATINGS_MAX`. */
  maxRatings?: number;
  /** Name of the source in errors. Default the format. */
  source?: string;
}

interface Layout {
  delimiter: string;
  fields: readonly number[];
  header: 'none' | 'required' | 'optional';
  integerIds: boolean;
}

const LAYOUTS: Record<RatingFormat, Layout> = {
  'movielens-100k': { delimiter: '\t', fields: [4], header: 'none', integerIds: true },
  'movielens-dat': { delimiter: '::', fields: [4], header: 'none', integerIds: true },
  'movielens-csv': { delimiter: ',', fields: [4], header: 'required', integerIds: true },
  csv: { delimiter: ',', fields: [3, 4], header: 'optional', integerIds: false },
  tsv: { delimiter: '\t', fields: [3, 4], header: 'optional', integerIds: false },
};

const DELIMITER_NAMES: Record<string, string> = {
  '\t': 'tabs',
  '::': "'::'",
  ',': 'commas',
  ';': 'semicolons',
  ' ': 'spaces',
};

// A plain decimal number (what rating files hold): no hex, no empty string, no 'Infinity'.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^\d+$/;

function describeDelimiter(d: string): string {
  return DELIMITER_NAMES[d] ?? `'${d}'`;
}

/** The delimiter a line seems to use instead, for the error's hint. */
function guessDelimiter(line: string, expected: string): string | undefined {
  for (const d of ['::', '\t', ',', ';']) {
    if (d !== expected && line.includes(d) && line.split(d).length >= 3) return d;
  }
  if (expected !== ' ' && line.trim().split(/ +/).length >= 3) return ' ';
  return undefined;
}

const FORMAT_FOR: Record<string, string> = {
  '::': "format 'movielens-dat'",
  '\t': "format 'tsv' (or 'movielens-100k' for u.data)",
  ',': "format 'csv' (or 'movielens-csv' for ratings.csv)",
};

/**
 * Parses a rating file's text. Throws on the first bad line, naming it: a wrong field count (with the delimiter the
 * line seems to use, and the format that reads it), a missing id, a rating that is not a number or lies outside
 * `range`, an id that is not an integer when ids must be, a bad timestamp, a missing header, an empty file.
 */
export function parseRatings(text: string, options: ParseRatingsOptions): RatingSet {
  const layout = LAYOUTS[options.format];
  if (!layout) {
    throw new Error(
      `parseRatings: unknown format '${options.format}'; use one of ${RATING_FORMATS.join(', ')}.`,
    );
  }
  const source = options.source ?? options.format;
  const integerIds = options.integerIds ?? layout.integerIds;
  const maxRatings = options.maxRatings ?? RATINGS_MAX;
  // NaN would turn the limit off (every comparison with it is false)
  if (!(Number.isInteger(maxRatings) && maxRatings >= 1)) {
    throw new Error(`parseRatings: maxRatings must be a positive integer, got ${maxRatings}.`);
  }
  const range = options.range;
  if (range && !(Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[0] <= range[1])) {
    throw new Error(`parseRatings: range must be [min, max] with finite min <= max, got [${range}].`);
  }
  const builder = new RatingSetBuilder({ duplicates: options.duplicates });
  const { delimiter } = layout;
  let lineNumber = 0;
  let position = 0;
  let first = true;
  let count = 0;
  const length = text.length;
  while (position < length) {
    let end = text.indexOf('\n', position);
    if (end < 0) end = length;
    let line = text.slice(position, end);
    position = end + 1;
    lineNumber++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (lineNumber === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') continue;
    const where = `${source} line ${lineNumber}`;
    const fields = line.split(delimiter);
    if (!layout.fields.includes(fields.length)) {
      const guess = guessDelimiter(line, delimiter);
      const expected = layout.fields.join(' or ');
      throw new Error(
        `${where}: expected ${expected} fields separated by ${describeDelimiter(delimiter)}, found ${fields.length}` +
          (guess
            ? `; the line seems separated by ${describeDelimiter(guess)}${FORMAT_FOR[guess] ? `: use ${FORMAT_FOR[guess]}` : ''}.`
            : ` in "${line.slice(0, 80)}".`),
      );
    }
    if (first) {
      first = false;
      const looksLikeHeader = !NUMBER.test(fields[2].trim());
      const isHeader =
        layout.header === 'required'
          ? true
          : layout.header === 'none'
            ? false
            : (options.header ?? looksLikeHeader);
      if (isHeader) {
        if (layout.header === 'required' && !looksLikeHeader) {
          throw new Error(
            `${where}: expected the header userId,movieId,rating,timestamp of a MovieLens ratings.csv, found ` +
              `"${line.slice(0, 80)}"; for a CSV without a header use format 'csv'.`,
          );
        }
        continue;
      }
    }
    const user = fields[0].trim();
    const item = fields[1].trim();
    const ratingText = fields[2].trim();
    if (user === '') throw new Error(`${where}: the user id is empty.`);
    if (item === '') throw new Error(`${where}: the item id is empty.`);
    if (integerIds) {
      for (const [what, id] of [
        ['user', user],
        ['item', item],
      ] as const) {
        if (!INTEGER.test(id) || Number(id) > 2147483647) {
          throw new Error(
            `${where}: the ${what} id "${id.slice(0, 40)}" is not an integer in [0, 2^31); ${source} has integer ids` +
              (options.format === 'csv' || options.format === 'tsv'
                ? ''
                : ' (pass integerIds: false to allow any text)') +
              '.',
          );
        }
      }
    }
    if (!NUMBER.test(ratingText)) {
      throw new Error(`${where}: the rating "${ratingText.slice(0, 40)}" is not a number.`);
    }
    const rating = Number(ratingText);
    if (!Number.isFinite(rating)) throw new Error(`${where}: the rating ${ratingText} is not finite.`);
    if (range && (rating < range[0] || rating > range[1])) {
      throw new Error(
        `${where}: the rating ${rating} lies outside the allowed range [${range[0]}, ${range[1]}].`,
      );
    }
    let timestamp: number | undefined;
    if (fields.length === 4) {
      const t = fields[3].trim();
      if (!NUMBER.test(t) || !Number.isFinite(Number(t))) {
        throw new Error(`${where}: the timestamp "${t.slice(0, 40)}" is not a number.`);
      }
      timestamp = Number(t);
    }
    if (++count > maxRatings) {
      throw new Error(
        `${where}: more than ${maxRatings.toLocaleString('en-US')} ratings; pass maxRatings to raise the limit.`,
      );
    }
    builder.add({ user, item, rating, timestamp }, where);
  }
  const set = builder.build();
  if (set.size === 0) throw new Error(`${source}: no ratings found (the file is empty or only a header).`);
  return set;
}

/** Writes a rating set in a layout (the inverse of `parseRatings`, with the original ids), e.g. for fixtures. */
export function formatRatings(set: RatingSet, format: RatingFormat): string {
  const layout = LAYOUTS[format];
  if (!layout)
    throw new Error(`formatRatings: unknown format '${format}'; use one of ${RATING_FORMATS.join(', ')}.`);
  if (layout.fields[0] === 4 && layout.fields.length === 1 && !set.timestamps) {
    throw new Error(`formatRatings: format '${format}' needs timestamps, and this set has none.`);
  }
  const lines: string[] = format === 'movielens-csv' ? ['userId,movieId,rating,timestamp'] : [];
  for (let k = 0; k < set.size; k++) {
    const fields = [
      set.userIds[set.users[k]],
      set.itemIds[set.items[k]],
      String(Number(set.ratings[k].toPrecision(7))),
    ];
    if (set.timestamps) fields.push(String(set.timestamps[k]));
    lines.push(fields.join(layout.delimiter));
  }
  return `${lines.join('\n')}\n`;
}

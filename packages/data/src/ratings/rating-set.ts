/**
 * Sparse rating sets: (user, item, rating, timestamp) quadruples with dense user and item indices and the maps back
 * to the ids of the file. Nothing here builds a users x items matrix; `RatingRows` fills rows per batch.
 */
import { checkRatingTriples, type RatingTriples } from '@vae/core';

/** What to do when the same (user, item) pair is rated twice. */
export type DuplicatePolicy = 'last' | 'first' | 'error';

/** A set of ratings. Indices are dense (0..numUsers-1, 0..numItems-1); `userIds`/`itemIds` map them back. */
export class RatingSet implements RatingTriples {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** Seconds (or any increasing time), one per rating, when the source had them. */
  readonly timestamps?: Float64Array;
  /** The id of each user index, as written in the source. */
  readonly userIds: readonly string[];
  /** The id of each item index, as written in the source. */
  readonly itemIds: readonly string[];

  constructor(parts: {
    users: Int32Array;
    items: Int32Array;
    ratings: Float32Array;
    timestamps?: Float64Array;
    userIds: readonly string[];
    itemIds: readonly string[];
  }) {
    this.users = parts.users;
    this.items = parts.items;
    this.ratings = parts.ratings;
    this.timestamps = parts.timestamps;
    this.userIds = parts.userIds;
    this.itemIds = parts.itemIds;
    checkRatingTriples(this, 'RatingSet');
    if (this.timestamps && this.timestamps.length !== this.size) {
      throw new Error(`RatingSet: ${this.timestamps.length} timestamps for ${this.size} ratings.`);
    }
  }

  get size(): number {
    return this.ratings.length;
  }

  get numUsers(): number {
    return this.userIds.length;
  }

  get numItems(): number {
    return this.itemIds.length;
  }

  /** The ratings at `indices`, with the same id maps (so indices stay comparable across splits). */
  subset(indices: ArrayLike<number>): RatingSet {
    const n = indices.length;
    const users = new Int32Array(n);
    const items = new Int32Array(n);
    const ratings = new Float32Array(n);
    const timestamps = this.timestamps ? new Float64Array(n) : undefined;
    for (let k = 0; k < n; k++) {
      const j = indices[k];
      users[k] = this.users[j];
      items[k] = this.items[j];
      ratings[k] = this.ratings[j];
      if (timestamps) timestamps[k] = (this.timestamps as Float64Array)[j];
    }
    return new RatingSet({ users, items, ratings, timestamps, userIds: this.userIds, itemIds: this.itemIds });
  }

  /** Smallest and largest rating (NaN for an empty set). */
  range(): [number, number] {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const r of this.ratings) {
      if (r < min) min = r;
      if (r > max) max = r;
    }
    return this.size === 0 ? [Number.NaN, Number.NaN] : [min, max];
  }

  /** Ratings per user (index), e.g. to find users a split left without training ratings. */
  countsPerUser(): Int32Array {
    const counts = new Int32Array(this.numUsers);
    for (const u of this.users) counts[u]++;
    return counts;
  }

  /** Ratings per item (index). */
  countsPerItem(): Int32Array {
    const counts = new Int32Array(this.numItems);
    for (const i of this.items) counts[i]++;
    return counts;
  }
}

/** One rating as a reader found it, with its line for error messages. */
export interface RawRating {
  user: string;
  item: string;
  rating: number;
  timestamp?: number;
}

/** Builds rating sets from raw ids, assigning dense indices in order of first appearance. */
export class RatingSetBuilder {
  private readonly userIndex = new Map<string, number>();
  private readonly itemIndex = new Map<string, number>();
  private readonly pairIndex = new Map<number, number>();
  private readonly users: number[] = [];
  private readonly items: number[] = [];
  private readonly ratings: number[] = [];
  private readonly timestamps: number[] = [];
  private timed: boolean | undefined;
  private readonly duplicates: DuplicatePolicy;
  /** Number of duplicate pairs met (and resolved by the policy). */
  duplicateCount = 0;

  constructor(options: { duplicates?: DuplicatePolicy } = {}) {
    this.duplicates = options.duplicates ?? 'last';
    if (!['last', 'first', 'error'].includes(this.duplicates)) {
      throw new Error(`duplicates must be 'last', 'first' or 'error', got '${this.duplicates}'.`);
    }
  }

  private index(map: Map<string, number>, id: string): number {
    let k = map.get(id);
    if (k === undefined) {
      k = map.size;
      map.set(id, k);
    }
    return k;
  }

  /** Adds one rating; `where` names its place in the source (e.g. "ratings.csv line 12") for errors. */
  add(raw: RawRating, where: string): void {
    const hasTime = raw.timestamp !== undefined;
    if (this.timed === undefined) this.timed = hasTime;
    else if (this.timed !== hasTime) {
      throw new Error(`${where}: ${hasTime ? 'has' : 'lacks'} a timestamp, unlike the lines before it.`);
    }
    const u = this.index(this.userIndex, raw.user);
    const i = this.index(this.itemIndex, raw.item);
    // 2^26 items at most keeps u * 2^26 + i exact in a double for up to 2^27 users; checked before the key is made,
    // since item 2^26 of user u would be the key of item 0 of user u + 1 (a false duplicate)
    if (i >= 67108864) throw new Error(`${where}: more than 2^26 distinct items.`);
    if (u >= 134217728) throw new Error(`${where}: more than 2^27 distinct users.`);
    const key = u * 67108864 + i;
    const previous = this.pairIndex.get(key);
    if (previous !== undefined) {
      this.duplicateCount++;
      if (this.duplicates === 'error') {
        throw new Error(
          `${where}: user ${raw.user} rated item ${raw.item} again (rating ${this.ratings[previous]} before, ` +
            `${raw.rating} now); pass duplicates: 'last' or 'first' to keep one of them.`,
        );
      }
      if (this.duplicates === 'last') {
        this.ratings[previous] = raw.rating;
        if (hasTime) this.timestamps[previous] = raw.timestamp as number;
      }
      return;
    }
    this.pairIndex.set(key, this.ratings.length);
    this.users.push(u);
    this.items.push(i);
    this.ratings.push(raw.rating);
    if (hasTime) this.timestamps.push(raw.timestamp as number);
  }

  build(): RatingSet {
    return new RatingSet({
      users: Int32Array.from(this.users),
      items: Int32Array.from(this.items),
      ratings: Float32Array.from(this.ratings),
      timestamps: this.timed ? Float64Array.from(this.timestamps) : undefined,
      userIds: [...this.userIndex.keys()],
      itemIds: [...this.itemIndex.keys()],
    });
  }
}

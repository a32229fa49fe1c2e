/**
 * The Recommendations view's lists, as plain data (no DOM, tested in Node): honest item labels (the generator's id
 * and the item's popularity rank among the training clicks), which listed items are in the user's held-out set,
 * and the user picked in the address.
 */
import { topN } from '@vae/metrics';

export interface ListedItem {
  /** The item's index in the rating set. */
  item: number;
  /** "item 17": from the generator's id (`i17`), so the same item has the same name for every seed's lists. */
  label: string;
  /** 1 for the item with the most training clicks (ties: the lower index first). */
  popularityRank: number;
  /** Whether the item is among the user's held-out clicks (hidden from the models). */
  heldOut: boolean;
}

/** The popularity rank (1 = most clicked) of every item, from its click counts. */
export function popularityRanks(counts: ArrayLike<number>): Int32Array {
  const order = topN(counts, counts.length);
  const ranks = new Int32Array(counts.length);
  order.forEach((item, r) => {
    ranks[item] = r + 1;
  });
  return ranks;
}

/** "i17" -> "item 17"; any other id is shown as it is. */
export function itemLabel(id: string): string {
  const match = /^i(\d+)$/.exec(id);
  return match ? `item ${match[1]}` : id;
}

/** The items of a list (indices; negative ones are padding and skipped), labelled and marked. */
export function listItems(
  items: ArrayLike<number>,
  itemIds: readonly string[],
  ranks: ArrayLike<number>,
  heldOut: ReadonlySet<number>,
): ListedItem[] {
  return Array.from(items)
    .filter((item) => item >= 0)
    .map((item) => ({
      item,
      label: itemLabel(itemIds[item] ?? String(item)),
      popularityRank: ranks[item],
      heldOut: heldOut.has(item),
    }));
}

/** How many listed items are held out. */
export function hits(list: readonly ListedItem[]): number {
  return list.reduce((sum, entry) => sum + (entry.heldOut ? 1 : 0), 0);
}

/** A user index from the address (`ruser`): an integer in [0, users), else undefined. */
export function parseUser(value: string | null, users: number): number | undefined {
  if (value === null || !/^\d{1,7}$/.test(value)) return undefined;
  const user = Number(value);
  return user < users ? user : undefined;
}

/** The first user from `start` on (wrapping around) who has held-out items, or `start` when none has. */
export function firstUserWithHeldOut(testItems: readonly ArrayLike<number>[], start = 0): number {
  for (let k = 0; k < testItems.length; k++) {
    const u = (start + k) % testItems.length;
    if (testItems[u].length > 0) return u;
  }
  return start;
}

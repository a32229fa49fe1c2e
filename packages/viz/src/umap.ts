/**
 * `@vae/viz/umap`: 2-D embeddings with UMAP (McInnes et al. 2018) through umap-js. A subpath of its own because
 * umap-js and ml-matrix weigh about 22 kB gzipped; `projectLatents(codes, { method: 'umap' })` of the root entry
 * imports this module on demand.
 */
import { Random } from '@vae/core';
import { UMAP } from 'umap-js';
import { principalCoordinates, type Rows, readRows, type UmapOptions } from './projection';

export type { Rows, UmapOptions };

/**
 * Embeds rows in 2-D with UMAP (McInnes et al. 2018) through umap-js, seeded for repeatable results. Fewer than 3
 * rows are returned as PCA coordinates (UMAP needs neighbours). Synchronous: for thousands of rows it takes
 * seconds, so in a browser call it from a worker.
 */
export function umapEmbedding(rows: Rows, options: UmapOptions = {}): Array<[number, number]> {
  const where = 'umapEmbedding';
  const { values, count, dimension } = readRows(where, rows);
  const neighbors = options.neighbors ?? 15;
  if (!Number.isInteger(neighbors) || neighbors < 2) {
    throw new Error(`${where}: neighbors must be an integer >= 2, got ${neighbors}.`);
  }
  const minDistance = options.minDistance ?? 0.1;
  const spread = options.spread ?? 1;
  if (!(spread > 0) || !(minDistance >= 0 && minDistance <= spread)) {
    throw new Error(
      `${where}: need spread > 0 and 0 <= minDistance <= spread, got ${minDistance} and ${spread}.`,
    );
  }
  if (options.epochs !== undefined && (!Number.isInteger(options.epochs) || options.epochs < 1)) {
    throw new Error(`${where}: epochs must be a positive integer, got ${options.epochs}.`);
  }
  const data = Array.from({ length: count }, (_, i) =>
    Array.from(values.subarray(i * dimension, (i + 1) * dimension)),
  );
  if (count < 3) {
    const padded = dimension === 1 ? data.map((row) => [row[0], 0]) : data;
    return principalCoordinates(where, padded, 2).points.map((point) => [point[0], point[1]]);
  }
  const random = new Random(options.seed ?? 0);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(neighbors, count - 1),
    minDist: minDistance,
    spread,
    nEpochs: options.epochs,
    random: () => random.next(),
  });
  return umap.fit(data).map((point) => [point[0], point[1]]);
}

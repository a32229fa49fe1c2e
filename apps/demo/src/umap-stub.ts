/**
 * Stands in for `umap-js` in the demo's build (vite.config.ts aliases it here): @vae/viz imports UMAP for its
 * `umapEmbedding`, which no view uses, and the library (about 100 kB minified) would otherwise ride along in the
 * page's main chunk. Calling it says so.
 */
export class UMAP {
  constructor() {
    throw new Error('UMAP is not part of the demo build (apps/demo/vite.config.ts aliases umap-js away).');
  }
}

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { demoData } from './vite-plugin-demo-data.ts';

/** Names a chunk after the TensorFlow.js package it starts from, e.g. `tfjs-backend-webgl-<hash>.js`. */
function chunkFileName(chunk: { name: string; facadeModuleId: string | null }): string {
  const tfjsPackage = chunk.facadeModuleId?.match(/@tensorflow[/\\](tfjs-[a-z-]+)[/\\]/)?.[1];
  return `assets/${tfjsPackage ?? chunk.name}-[hash].js`;
}

export default defineConfig({
  // Relative asset URLs: the built site works from any sub-path (GitHub Pages, a folder on a static host).
  base: './',
  plugins: [demoData()],
  // @vae/viz's UMAP projection is unused here: keep umap-js (about 100 kB) out of the page's bundle.
  resolve: { alias: { 'umap-js': fileURLToPath(new URL('./src/umap-stub.ts', import.meta.url)) } },
  build: {
    target: 'es2022',
    // TensorFlow.js and its backends are large chunks; that is expected here.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: { output: { chunkFileNames: chunkFileName } },
  },
  // The training worker loads its backend as a separate chunk, like the page: module workers split code.
  worker: {
    format: 'es',
    rolldownOptions: { output: { chunkFileNames: chunkFileName } },
  },
});

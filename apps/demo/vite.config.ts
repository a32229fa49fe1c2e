import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { demoData } from './vite-plugin-demo-data.ts';
import { pretrainedModels } from './vite-plugin-pretrained.ts';

/** Names a chunk after the TensorFlow.js package it starts from, e.g. `tfjs-backend-webgl-<hash>.js`. */
function chunkFileName(chunk: { name: string; facadeModuleId: string | null }): string {
  const tfjsPackage = chunk.facadeModuleId?.match(/@tensorflow[/\\](tfjs-[a-z-]+)[/\\]/)?.[1];
  return `assets/${tfjsPackage ?? chunk.name}-[hash].js`;
}

/**
 * A Workbox plugin for the runtime caches: keeps only complete answers that are not web pages, so a host's
 * index.html fallback (or an error page) is never kept in place of a model or a data file.
 */
const NO_WEB_PAGES = {
  cacheWillUpdate: async ({ response }: { response: Response }) =>
    response.status === 200 && !/^text\/html/i.test(response.headers.get('content-type') ?? '')
      ? response
      : null,
};

export default defineConfig({
  // Relative asset URLs: the built site works from any sub-path (GitHub Pages, a folder on a static host).
  base: './',
  plugins: [
    demoData(),
    pretrainedModels(),
    // Offline after the first visit: a Workbox service worker precaches the page and the code it runs on (the
    // wasm and cpu backends), and caches the rest as it is used: the GPU backends' chunks, models and data.
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      manifest: false,
      workbox: {
        globPatterns: ['index.html', 'assets/*.{js,css,wasm}'],
        globIgnores: ['assets/tfjs-backend-webgl-*', 'assets/tfjs-backend-webgpu-*'],
        // the largest precached file is the training worker's bundle (about 0.6 MB)
        maximumFileSizeToCacheInBytes: 1_000_000,
        navigateFallback: null,
        // the page's address carries its state (?view=draw&z=...): any query opens the precached page
        ignoreURLParametersMatching: [/.*/],
        // the first visit is kept too: the worker takes over the open page at once (see src/offline.ts)
        clientsClaim: true,
        skipWaiting: true,
        runtimeCaching: [
          {
            // fingerprinted: never changes under its name
            urlPattern: ({ url, sameOrigin }) =>
              sameOrigin && /\/(assets|data)\/[^/]+\.[0-9a-zA-Z_-]{8,}\.[a-z0-9]+$/.test(url.pathname),
            handler: 'CacheFirst',
            options: {
              cacheName: 'vae-demo-immutable',
              expiration: { maxEntries: 60 },
              plugins: [NO_WEB_PAGES],
            },
          },
          {
            // models keep their names across releases: the cached copy now, a fresh one for next time
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.includes('/models/'),
            handler: 'StaleWhileRevalidate',
            options: {
              cacheName: 'vae-demo-models',
              expiration: { maxEntries: 40 },
              plugins: [NO_WEB_PAGES],
            },
          },
        ],
      },
    }),
  ],
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

/**
 * Offline after the first visit. The service worker (vite-plugin-pwa, configured in vite.config.ts) precaches the
 * page and its code and caches models, data and GPU backends as they are fetched, but only once it controls the
 * page: on the very first visit the page has loaded its models before that. So when the worker takes control,
 * the page fetches again (from the HTTP cache, through the worker) the site files it has already loaded, and the
 * worker keeps them.
 */
export function keepLoadedFilesOffline(): void {
  if (!('serviceWorker' in navigator) || navigator.serviceWorker.controller) return;
  navigator.serviceWorker.addEventListener(
    'controllerchange',
    () => {
      const seen = new Set<string>();
      for (const entry of performance.getEntriesByType('resource')) {
        const url = new URL(entry.name);
        if (url.origin !== location.origin || !/\/(models|data|assets)\//.test(url.pathname)) continue;
        if (seen.has(url.href)) continue;
        seen.add(url.href);
        fetch(url.href).catch(() => {
          // a file that cannot be fetched now is fetched again when it is next needed
        });
      }
    },
    { once: true },
  );
}

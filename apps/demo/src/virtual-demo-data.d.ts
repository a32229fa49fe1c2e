/** Made by `vite-plugin-demo-data.ts`: logical data names -> fingerprinted paths, relative to the site root. */
declare module 'virtual:demo-data' {
  export const DATA_FILES: Record<string, string>;
}

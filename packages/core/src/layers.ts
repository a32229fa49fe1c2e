/** `@vae/core/layers`: the tfjs Layers API layers (see layers/index.ts). */
export * from './layers/index';

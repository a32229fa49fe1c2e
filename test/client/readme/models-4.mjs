// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the models README's fourth example: a backend, and the VAE class the text imported earlier.
import '@tensorflow/tfjs-backend-cpu';
import { VAE } from '@vae/models';

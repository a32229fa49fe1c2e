// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the core README's second example: a backend for the layers' weights.
import '@tensorflow/tfjs-backend-cpu';

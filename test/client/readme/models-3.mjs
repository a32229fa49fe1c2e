// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the models README's third example: a backend.
import '@tensorflow/tfjs-backend-cpu';

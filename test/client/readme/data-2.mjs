// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the data README's second example.
import '@tensorflow/tfjs';

const seed = 7;

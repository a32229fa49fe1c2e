/**
 * tfjs variable names are global to the tfjs engine, which one process shares between every copy of @vae/core that
 * it loads (an app and a library may each bring one): two models that reuse a name throw "Variable with name X was
 * already registered". The counter therefore lives on `globalThis` under a registered symbol, shared by all copies.
 */
const COUNTER = Symbol.for('@vae/core/variable-counter');

type WithCounter = typeof globalThis & { [COUNTER]?: number };

/**
 * A process-unique tfjs name for a variable: `vae_<n>/<localName>`, with `n` counted across every copy of
 * @vae/core in the process. Saved weights use the stable, model-local name instead.
 */
export function uniqueVariableName(localName: string): string {
  const global = globalThis as WithCounter;
  global[COUNTER] = (global[COUNTER] ?? 0) + 1;
  return `vae_${global[COUNTER]}/${localName}`;
}

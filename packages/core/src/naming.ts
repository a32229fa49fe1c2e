let counter = 0;

/**
 * tfjs variable names are global: two models that reuse a name throw "Variable with name X was already registered".
 * Every variable we create gets a process-unique prefix; saved weights use the stable, model-local name instead.
 */
export function uniqueVariableName(localName: string): string {
  counter += 1;
  return `vae_${counter}/${localName}`;
}

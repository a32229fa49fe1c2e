/**
 * A form of `<select>`s whose values live in the address under the view's own parameter names (`dseed`, `rseed`,
 * ...), for the views that run an experiment in the worker (Debiasing, Recommendations); and the line that says
 * where the worker trains.
 */
import { updateUrl } from './shared';

export interface SettingsForm<K extends string> {
  /** The `<select>` of a setting. */
  select(name: K): HTMLSelectElement;
  /** Puts the address's values into the form; a value the form does not offer is ignored. */
  restore(parameters: URLSearchParams): void;
  /** Writes `values` into the address, leaving out those equal to `defaults` (so a default link stays short). */
  share(values: Record<K, string | number>, defaults: Record<K, string | number>): void;
  /** Disables every `<select>` (while running) or enables them. */
  disable(disabled: boolean): void;
}

/** `fields`: setting name -> the address's parameter, which is also the `<select>`'s name. */
export function settingsForm<K extends string>(
  form: HTMLFormElement,
  fields: Record<K, string>,
): SettingsForm<K> {
  const names = Object.keys(fields) as K[];
  const select = (name: K) => form.elements.namedItem(fields[name]) as HTMLSelectElement;
  return {
    select,
    restore(parameters) {
      for (const name of names) {
        const wanted = parameters.get(fields[name]);
        const element = select(name);
        if (wanted !== null && [...element.options].some((option) => option.value === wanted)) {
          element.value = wanted;
        }
      }
    },
    share(values, defaults) {
      const changes: Record<string, string | null> = {};
      for (const name of names) {
        changes[fields[name]] = values[name] === defaults[name] ? null : String(values[name]);
      }
      updateUrl(changes);
    },
    disable(disabled) {
      for (const element of form.querySelectorAll<HTMLSelectElement>('select')) element.disabled = disabled;
    },
  };
}

/** "On wasm in a Web Worker (after webgpu, webgl failed)": the worker's backend and the ones that failed first. */
export function workerBackendLine(backend: string, failures: readonly string[]): string {
  const failed = failures.length
    ? ` (after ${failures.map((failure) => failure.split(':')[0]).join(', ')} failed)`
    : '';
  return `On ${backend} in a Web Worker${failed}`;
}

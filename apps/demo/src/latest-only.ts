/**
 * Runs `work` for the latest value asked for, one run at a time: values asked for while a run is going replace
 * each other (never a queue), so a pointer moving faster than the model decodes only ever waits for one decode.
 * A failing run stops the loop and goes to `onError`. `settled()` resolves once nothing is running or waiting.
 */
export function latestOnly<T>(
  work: (value: T) => Promise<void>,
  onError: (error: unknown) => void,
): { request(value: T): void; settled(): Promise<void> } {
  let wanted: { value: T } | undefined;
  let running: Promise<void> | undefined;
  async function loop(): Promise<void> {
    try {
      while (wanted) {
        const next = wanted.value;
        wanted = undefined;
        await work(next);
      }
    } catch (error) {
      wanted = undefined;
      onError(error);
    } finally {
      running = undefined;
    }
  }
  return {
    request(value: T) {
      wanted = { value };
      running ??= loop();
    },
    async settled() {
      while (running) await running;
    },
  };
}

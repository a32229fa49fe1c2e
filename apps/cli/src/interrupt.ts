/**
 * Ctrl-C and SIGTERM for the long commands, in one place: the first signal stops the progress bar and aborts
 * `signal` (with `reason`, when given, as the error the command ends with; fit stops after the current batch and
 * keeps its checkpoint), a second one exits at once with code 130. `dispose` removes the handlers.
 */
import { EXIT } from './errors';
import type { Progress } from './progress';

export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

export function interruptOnSignals(options: { progress?: Progress; reason?: () => unknown } = {}): Interrupt {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    options.progress?.stop();
    controller.abort(options.reason?.());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

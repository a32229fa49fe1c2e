import cliProgress from 'cli-progress';

export interface Progress {
  start(epoch: number, epochs: number, batches: number): void;
  update(batch: number): void;
  stop(): void;
  log(line: string): void;
}

/** A progress bar with rate and ETA on a terminal; nothing but log lines otherwise (or when quiet). */
export function createProgress(options: { quiet: boolean; stream: NodeJS.WriteStream }): Progress {
  const { stream } = options;
  if (options.quiet) return { start() {}, update() {}, stop() {}, log() {} };
  if (!stream.isTTY) {
    return {
      start() {},
      update() {},
      stop() {},
      log: (line) => stream.write(`${line}\n`),
    };
  }
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(epoch, epochs, batches) {
      bar = new cliProgress.SingleBar(
        {
          format: `epoch ${epoch}/${epochs} {bar} {value}/{total} batches | {rate} batches/s | ETA {eta_formatted}`,
          stream,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { rate: '0' });
      const started = performance.now();
      const update = bar.update.bind(bar);
      bar.update = ((value: number) => {
        const seconds = (performance.now() - started) / 1000;
        update(value, { rate: seconds > 0 ? (value / seconds).toFixed(1) : '0' });
      }) as typeof bar.update;
    },
    update(batch) {
      bar?.update(batch);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
    log(line) {
      stream.write(`${line}\n`);
    },
  };
}

/**
 * `fit`'s batch and epoch callbacks drawing `progress`: a bar per epoch, then `onEpoch` (a log line, a test
 * evaluation) after the bar is gone. The one place where the commands wire training to the progress display.
 */
export function epochProgress<R>(
  progress: Progress,
  epochs: number,
  onEpoch: (record: R) => void | Promise<void>,
  /** Once aborted, the bar is not redrawn (the interrupt stopped it). */
  signal?: AbortSignal,
): {
  onBatchEnd: (state: { epoch: number; batch: number; batches: number }) => void;
  onEpochEnd: (record: R) => Promise<void>;
} {
  return {
    onBatchEnd: ({ epoch, batch, batches }) => {
      if (signal?.aborted) return;
      if (batch === 1) progress.start(epoch, epochs, batches);
      progress.update(batch);
    },
    onEpochEnd: async (record) => {
      progress.stop();
      await onEpoch(record);
    },
  };
}

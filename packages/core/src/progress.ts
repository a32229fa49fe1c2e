/**
 * Progress, cancellation and yielding for long operations (training, importance sampling, embedding, the
 * disentanglement metrics): every one takes `onProgress` and an `AbortSignal` the same way and lets the event loop
 * run between steps, so a page stays responsive and a Node process handles signals and I/O.
 */

/** How far a long operation has come: `done` of `total` units (batches, examples or samples, as each says). */
export interface Progress {
  /** Units done so far. */
  done: number;
  /** Units in all. */
  total: number;
}

/** Options every long operation takes. */
export interface ProgressOptions {
  /** Called after every step with how far the operation has come. */
  onProgress?: (progress: Progress) => void;
  /**
   * Stops the operation at the next step: it rejects with the signal's reason (an `AbortError` DOMException unless
   * you gave one). `fit` instead stops training and resolves with `history.aborted` set.
   */
  signal?: AbortSignal;
}

/**
 * Resolves after the event loop has had a turn: `setImmediate` in Node (no 1 ms timer clamp), a `MessageChannel`
 * message in browsers and workers (not `requestAnimationFrame`, which stops in background tabs), else
 * `setTimeout(0)`.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (typeof globalThis.setImmediate === 'function') {
      globalThis.setImmediate(resolve);
    } else if (typeof MessageChannel === 'function') {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(undefined);
    } else {
      setTimeout(resolve, 0);
    }
  });
}

/** Throws the signal's reason when it has been aborted (what `signal.throwIfAborted()` does, for older runtimes). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason !== undefined) throw reason;
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  throw error;
}

/**
 * One step of a long operation: reports `done` of `total` to `onProgress`, yields to the event loop, then throws
 * if the signal was aborted meanwhile.
 */
export async function reportProgress(options: ProgressOptions, done: number, total: number): Promise<void> {
  options.onProgress?.({ done, total });
  await yieldToEventLoop();
  throwIfAborted(options.signal);
}

/**
 * Picks a TensorFlow.js backend. Each backend is a separate chunk, loaded only when it is tried: the default
 * order is wasm, then webgl, then cpu, moving on when one fails to start.
 */

import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';

export const BACKENDS = ['wasm', 'webgl', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

const registerBackend: Record<BackendName, () => Promise<void>> = {
  async wasm() {
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
    });
    // The threaded worker crashes in a minified build, and threads need cross-origin isolation (COOP/COEP
    // headers) that static hosts rarely send: always use the single-threaded (SIMD) binary.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  },
  async webgl() {
    await import('@tensorflow/tfjs-backend-webgl');
  },
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu');
  },
};

/** Loads, registers and initialises one backend, then runs a tiny computation on it; throws if any step fails. */
async function tryBackend(name: BackendName): Promise<void> {
  await registerBackend[name]();
  if (!(await tf.setBackend(name))) {
    throw new Error(`the ${name} backend failed to initialise (the browser console has the details)`);
  }
  const check = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
  try {
    const [value] = await check.data();
    if (value !== 12) throw new Error(`the ${name} backend computed 12 as ${value}`);
  } finally {
    check.dispose();
  }
}

export interface BackendChoice {
  /** The backend now active. */
  backend: BackendName;
  /** Backends tried before it that failed, with the reason. */
  failures: string[];
}

/**
 * Starts `requested` if given (failing if it cannot start), otherwise the first backend of wasm, webgl, cpu
 * that starts.
 */
export async function startBackend(requested?: BackendName): Promise<BackendChoice> {
  const candidates = requested ? [requested] : BACKENDS;
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      await tryBackend(name);
      return { backend: name, failures };
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const advice = requested
    ? 'Try another backend with ?backend=wasm, ?backend=webgl or ?backend=cpu.'
    : 'This browser may be too old for TensorFlow.js.';
  throw new Error(`No TensorFlow.js backend could start (${failures.join('; ')}). ${advice}`);
}

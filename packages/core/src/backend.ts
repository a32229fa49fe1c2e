/**
 * Backend selection without importing a backend: libraries never import `@tensorflow/tfjs-backend-*` (only apps
 * do, so that a browser bundle carries only the backends it uses). `selectBackend` switches to a backend the
 * application has registered by importing its package, and explains what to install when it has not.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The backends tfjs offers. `tensorflow` is the native one of `@tensorflow/tfjs-node`. */
export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu' | 'tensorflow';

/** The package that registers each backend when imported. */
export const BACKEND_PACKAGES: Readonly<Record<BackendName, string>> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  tensorflow: '@tensorflow/tfjs-node',
};

const EXTRA_STEPS: Partial<Record<BackendName, string>> = {
  wasm: " In Node or a bundler, also call that package's setWasmPaths(...) first.",
  tensorflow:
    ' (@tensorflow/tfjs-node-gpu for CUDA); it needs Node and downloads libtensorflow when installed.',
  webgpu: ' It needs a browser with WebGPU (navigator.gpu).',
};

function isKnown(name: string): name is BackendName {
  return Object.hasOwn(BACKEND_PACKAGES, name);
}

/** Names of the backends registered in this process (their packages were imported). */
export function registeredBackends(): string[] {
  return Object.keys(tf.engine().registryFactory);
}

/**
 * Makes `name` the active tfjs backend and waits until it is ready; returns its name. The backend must be
 * registered: the application imports its package (e.g. @tensorflow/tfjs-backend-wasm) for its side effect before calling
 * this. Throws an error naming the package to install and import when it is not registered, and one naming the
 * backend when its initialization fails (e.g. no WebGL context). Custom backends registered with
 * `tf.registerBackend` can be selected by their name too.
 */
export async function selectBackend(name: BackendName | (string & {})): Promise<string> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error(
      `selectBackend: name must be one of ${Object.keys(BACKEND_PACKAGES).join(', ')}, got ${name}.`,
    );
  }
  if (tf.findBackendFactory(name) === null) {
    const registered = registeredBackends();
    const available = registered.length ? registered.join(', ') : 'none';
    if (!isKnown(name)) {
      throw new Error(
        `selectBackend: unknown backend '${name}'; use one of ${Object.keys(BACKEND_PACKAGES).join(', ')} ` +
          `(registered here: ${available}).`,
      );
    }
    const pkg = BACKEND_PACKAGES[name];
    throw new Error(
      `selectBackend: backend '${name}' is not registered: npm i ${pkg} and import it ` +
        `before selecting it.${EXTRA_STEPS[name] ?? ''} Registered here: ${available}.`,
    );
  }
  // tfjs leaves no active backend when setBackend fails; go back to the previous one then.
  const previous = tf.engine().backendName;
  let failure: string | null = null;
  let cause: unknown;
  try {
    if (!(await tf.setBackend(name))) failure = 'see the console for the reason';
  } catch (error) {
    failure = (error as Error).message;
    cause = error;
  }
  if (failure !== null) {
    const restored = previous && previous !== name && (await tf.setBackend(previous).catch(() => false));
    throw new Error(
      `selectBackend: backend '${name}' is registered but failed to initialize (${failure}); for webgl and webgpu ` +
        `the device may lack support. Pick another backend, e.g. 'cpu' or 'wasm'.` +
        (restored ? ` The backend '${previous}' stays active.` : ''),
      { cause },
    );
  }
  await tf.ready();
  return tf.getBackend();
}

/** Tolerances for comparing results computed on the active backend with exact values. */
export interface BackendPrecision {
  /** The active backend's name. */
  backend: string;
  /** Bits of its float type: 32, or 16 on WebGL devices without float32 textures. */
  floatBits: number;
  /** The epsilon tfjs uses for that float type: 1e-7 for float32, 1e-4 for float16. */
  epsilon: number;
  /** Relative tolerance for elementwise maths and small reductions. */
  rtol: number;
  /** Absolute tolerance for the same. */
  atol: number;
}

/**
 * Bits of the float type the backend computes in. tfjs' own `floatPrecision()` answers 16 on WebGL exactly when
 * float32 textures are enabled (it describes uploads, not arithmetic), so WebGL is judged by that flag instead.
 */
function floatBitsOf(backend: string): number {
  if (backend === 'webgl') {
    try {
      return tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 32 : 16;
    } catch {
      return 16;
    }
  }
  return tf.backend().floatPrecision();
}

/**
 * Suggested tolerances for the active backend: float32 CPU-like backends (cpu, wasm, tensorflow) agree with
 * float64 closed forms to about 1e-5 relative for small reductions; GPU backends (webgl, webgpu) compute
 * transcendental functions less exactly, so they get 10x looser bounds; float16 WebGL gets 1e-2.
 */
export function backendPrecision(): BackendPrecision {
  const backend = tf.getBackend();
  const floatBits = floatBitsOf(backend);
  const epsilon = floatBits < 32 ? 1e-4 : 1e-7;
  if (floatBits < 32) return { backend, floatBits, epsilon, rtol: 1e-2, atol: 1e-3 };
  const gpu = backend === 'webgl' || backend === 'webgpu';
  return gpu
    ? { backend, floatBits, epsilon, rtol: 1e-3, atol: 1e-4 }
    : { backend, floatBits, epsilon, rtol: 1e-4, atol: 1e-5 };
}

/**
 * Picks a TensorFlow.js backend. Each backend is a separate chunk, loaded only when it is tried.
 *
 * The automatic order is the fastest that works: WebGPU, then WebGL on a hardware GPU; then wasm (SIMD), which
 * beats a GPU that is only emulated in software (SwiftShader, llvmpipe: headless browsers, some VMs); then those
 * software GPUs; then the plain JavaScript cpu backend. A backend the browser lacks (no `navigator.gpu`, no WebGL2)
 * is skipped silently; one that is there but fails to start is reported. The same code runs in the page and in
 * the training worker.
 */

import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

/** What the browser offers for a backend, found without starting it. */
type Support = 'hardware' | 'software' | 'unsupported';

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string };
}

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|software|lavapipe|basic render/i;

async function webgpuSupport(): Promise<Support> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } })?.gpu;
  if (!gpu) return 'unsupported';
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'unsupported';
    const info = adapter.info ?? {};
    const fallback = adapter.isFallbackAdapter ?? info.isFallbackAdapter ?? false;
    const described = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`;
    return fallback || SOFTWARE_RENDERERS.test(described) ? 'software' : 'hardware';
  } catch {
    return 'unsupported';
  }
}

function webglSupport(): Support {
  let gl: WebGL2RenderingContext | null = null;
  try {
    const canvas =
      typeof OffscreenCanvas !== 'undefined'
        ? new OffscreenCanvas(1, 1)
        : typeof document !== 'undefined'
          ? document.createElement('canvas')
          : undefined;
    gl = (canvas?.getContext('webgl2') as WebGL2RenderingContext | null | undefined) ?? null;
  } catch {
    gl = null;
  }
  if (!gl) return 'unsupported';
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return SOFTWARE_RENDERERS.test(renderer) ? 'software' : 'hardware';
}

const registerBackend: Record<BackendName, () => Promise<void>> = {
  async webgpu() {
    await import('@tensorflow/tfjs-backend-webgpu');
  },
  async webgl() {
    await import('@tensorflow/tfjs-backend-webgl');
  },
  async wasm() {
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    const absolute = (url: string) => new URL(url, globalThis.location?.href).href;
    setWasmPaths({
      'tfjs-backend-wasm.wasm': absolute(wasmUrl),
      'tfjs-backend-wasm-simd.wasm': absolute(wasmSimdUrl),
      // setWasmPaths wants every binary named; the threaded one is never loaded (multithreading is off below)
      'tfjs-backend-wasm-threaded-simd.wasm': absolute(wasmSimdUrl),
    });
    // The threaded worker crashes in a minified build, and threads need cross-origin isolation (COOP/COEP
    // headers) that static hosts rarely send: always use the single-threaded binaries, so the threaded one
    // (436 kB) is not shipped at all.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  },
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu');
  },
};

/** Loads, registers and initialises one backend, then runs a tiny computation on it; throws if any step fails. */
async function tryBackend(name: BackendName): Promise<void> {
  await registerBackend[name]();
  if (tf.findBackendFactory(name) === null) {
    throw new Error(`this browser does not offer ${name === 'webgpu' ? 'WebGPU (navigator.gpu)' : name}`);
  }
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
  /** Backends passed over without trying: missing in this browser, or slower here (a software GPU). */
  skipped: string[];
}

/** The automatic order for this browser, and the backends left out of it with the reason. */
export async function automaticOrder(): Promise<{ order: BackendName[]; skipped: string[] }> {
  const support: Record<'webgpu' | 'webgl', Support> = {
    webgpu: await webgpuSupport(),
    webgl: webglSupport(),
  };
  const order: BackendName[] = [];
  const skipped: string[] = [];
  for (const name of ['webgpu', 'webgl'] as const) {
    if (support[name] === 'hardware') order.push(name);
  }
  order.push('wasm');
  for (const name of ['webgl', 'webgpu'] as const) {
    // a software GPU is slower than wasm; WebGL is still faster than cpu, emulated WebGPU is not
    if (support[name] === 'software' && name === 'webgl') order.push(name);
    if (support[name] === 'software' && name === 'webgpu') skipped.push(`webgpu: software adapter only`);
    if (support[name] === 'unsupported') skipped.push(`${name}: not offered by this browser`);
  }
  order.push('cpu');
  return { order, skipped };
}

/**
 * Starts `requested` if given (failing if it cannot start), otherwise the first backend of the automatic order
 * that starts. `fallback` backends are tried after a requested one fails (the worker uses this).
 */
export async function startBackend(
  requested?: BackendName,
  fallback: readonly BackendName[] = [],
): Promise<BackendChoice> {
  let candidates: BackendName[];
  let skipped: string[] = [];
  if (requested) candidates = [requested, ...fallback.filter((name) => name !== requested)];
  else ({ order: candidates, skipped } = await automaticOrder());
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      await tryBackend(name);
      return { backend: name, failures, skipped };
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const advice = requested
    ? `Try another backend with ${BACKENDS.filter((name) => name !== requested)
        .map((name) => `?backend=${name}`)
        .join(', ')}.`
    : 'This browser may be too old for TensorFlow.js.';
  throw new Error(`No TensorFlow.js backend could start (${failures.join('; ')}). ${advice}`);
}

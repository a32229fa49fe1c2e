/**
 * The one place where the CLI picks a tfjs backend. Libraries never do this. 'auto' takes the fastest that
 * works here: tfjs-node ('tensorflow') when the user has installed it, else wasm, else cpu. 'webgpu' runs in Node
 * through the npm package `webgpu` (Dawn) with @tensorflow/tfjs-backend-webgpu, when the user has installed both.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice } from './choices';
import { CliError } from './errors';

export { BACKENDS, type BackendChoice } from './choices';

const require = createRequire(import.meta.url);
let wasmConfigured = false;

async function tryTensorflow(): Promise<boolean> {
  try {
    // Optional: only present when the user installed @tensorflow/tfjs-node themselves.
    await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string);
    return tf.findBackend('tensorflow') !== null && (await tf.setBackend('tensorflow'));
  } catch {
    return false;
  }
}

/** Why webgpu could not start (a missing package, or no adapter), for the error message. */
let webgpuProblem = '';

interface NodeGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<unknown>;
}

async function tryWebgpu(): Promise<boolean> {
  // Optional: the npm packages `webgpu` (Dawn for Node) and @tensorflow/tfjs-backend-webgpu, when the user has them.
  let webgpu: { create(options: string[]): NodeGpu; globals: Record<string, unknown> };
  try {
    webgpu = await import(/* @vite-ignore */ 'webgpu' as string);
  } catch {
    webgpuProblem = 'needs the npm package webgpu';
    return false;
  }
  const scope = globalThis as unknown as { navigator?: { gpu?: NodeGpu } };
  if (!scope.navigator?.gpu) {
    Object.assign(globalThis, webgpu.globals);
    // A real GPU first; else Dawn's OpenGL ES path (software rendering on machines without one).
    let gpu = webgpu.create([]);
    if (!(await gpu.requestAdapter().catch(() => null))) {
      process.env.EGL_PLATFORM ??= 'surfaceless';
      gpu = webgpu.create(['backend=opengles']);
      const request = gpu.requestAdapter.bind(gpu);
      // tfjs asks only for powerPreference; the OpenGL ES adapter needs the compatibility feature level
      gpu.requestAdapter = (options = {}) => request({ ...options, featureLevel: 'compatibility' });
    }
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  try {
    await import(/* @vite-ignore */ '@tensorflow/tfjs-backend-webgpu' as string);
  } catch {
    webgpuProblem = 'needs the npm package @tensorflow/tfjs-backend-webgpu@4.22.0';
    return false;
  }
  try {
    if (await tf.setBackend('webgpu')) return true;
    webgpuProblem = 'found no WebGPU adapter';
  } catch (error) {
    webgpuProblem = `failed to start (${(error as Error).message.split('\n')[0]})`;
  }
  return false;
}

async function tryWasm(): Promise<boolean> {
  if (!wasmConfigured) {
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    wasmConfigured = true;
  }
  try {
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/**
 * The module that registers `backend` in a worker thread of `fit({ workers })`, as this CLI resolves it (null: the
 * workers cannot run that backend).
 */
export function workerBackendModule(backend: string): string | null {
  const name = {
    cpu: '@tensorflow/tfjs-backend-cpu',
    wasm: '@tensorflow/tfjs-backend-wasm',
    tensorflow: '@tensorflow/tfjs-node',
  }[backend];
  try {
    return name ? require.resolve(name) : null;
  } catch {
    return null;
  }
}

/** Initialises the chosen backend and returns its name. */
export async function selectBackend(choice: BackendChoice): Promise<string> {
  // Production mode: skips debug checks and silences tfjs's "install the node backend" banner (the README says
  // how to use tfjs-node). Warnings during backend start-up (missing optional packages) are not for the user.
  tf.env().set('PROD', true);
  const quiet = console.warn;
  console.warn = () => {};
  try {
    if (choice === 'tensorflow') {
      if (!(await tryTensorflow())) {
        throw new CliError(
          "backend 'tensorflow' needs @tensorflow/tfjs-node; install it (npm i @tensorflow/tfjs-node) or use --backend wasm.",
        );
      }
    } else if (choice === 'webgpu') {
      if (!(await tryWebgpu())) {
        throw new CliError(
          `backend 'webgpu' ${webgpuProblem}; install it (npm i webgpu @tensorflow/tfjs-backend-webgpu@4.22.0) or use --backend wasm.`,
        );
      }
    } else if (choice === 'wasm') {
      if (!(await tryWasm())) throw new CliError("backend 'wasm' failed to start; try --backend cpu.");
    } else if (choice === 'cpu') {
      await tf.setBackend('cpu');
    } else {
      const ok = (await tryTensorflow()) || (await tryWasm()) || (await tf.setBackend('cpu'));
      if (!ok) throw new CliError('no tfjs backend could start; reinstall the CLI.');
    }
    await tf.ready();
  } finally {
    console.warn = quiet;
  }
  return tf.getBackend();
}

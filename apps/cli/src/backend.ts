/**
 * The one place where the CLI picks a tfjs backend. Libraries never do this. 'auto' takes the fastest that
 * works here: tfjs-node ('tensorflow') when the user has installed it, else wasm, else cpu.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { CliError } from './errors';

export const BACKENDS = ['auto', 'cpu', 'wasm', 'tensorflow'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

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

import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend';

/** Versions and which backends start here. */
export async function info(): Promise<void> {
  const lines = [`node ${process.version}`, `tfjs-core ${tf.version_core}`];
  for (const backend of ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const) {
    try {
      await selectBackend(backend);
      lines.push(`backend ${backend}: available`);
    } catch (error) {
      lines.push(`backend ${backend}: not available (${(error as Error).message})`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

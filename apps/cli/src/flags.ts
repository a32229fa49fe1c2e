/** Flags shared by several commands, built the same way everywhere (no tfjs here: parsing stays fast). */
import { Option } from 'commander';
import { BACKENDS } from './choices';

/** --backend: which tfjs backend the command starts (see backend.ts). */
export const backendOption = () =>
  new Option(
    '--backend <name>',
    'tfjs backend; auto = tfjs-node if installed, else wasm; webgpu needs the npm package webgpu',
  )
    .choices(BACKENDS)
    .default('auto');

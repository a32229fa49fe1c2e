/** safetensors files and PyTorch folders on disk: round trips, and the folder as untrusted input. */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavableModel } from '../registry';
import { VAE } from '../vae/vae.model';
import { readSafetensors } from './format';
import {
  loadModelFromPytorchFolder,
  loadModelFromSafetensorsFile,
  savePytorchFolder,
  saveSafetensorsFile,
} from './node';

let root: string;
let model: VAE;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-safetensors-'));
  model = new VAE({ inputShape: [2, 2, 1], hiddenUnits: [3], latentDim: 2, seed: 3 });
});

afterAll(async () => {
  model.dispose();
  await rm(root, { recursive: true, force: true });
});

async function sameWeights(a: SavableModel, b: SavableModel): Promise<void> {
  for (const [name, variable] of Object.entries(a.variables)) {
    expect(Array.from(await b.variables[name].data())).toEqual(Array.from(await variable.data()));
  }
}

describe('safetensors files (Node)', () => {
  it('saves and loads a file', async () => {
    const path = join(root, 'one', 'vae.safetensors');
    await saveSafetensorsFile(model, path, { dtype: 'float32' });
    const loaded = await loadModelFromSafetensorsFile(path);
    await sameWeights(model, loaded);
    loaded.dispose();
  });

  it('writes a PyTorch folder (model.safetensors + config.json) and loads it', async () => {
    const folder = join(root, 'folder');
    await savePytorchFolder(model, folder);
    const config = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8'));
    expect(config).toEqual({
      format: 'vae-model',
      formatVersion: 1,
      className: 'VAE',
      config: JSON.parse(JSON.stringify(model.config)),
    });
    const file = readSafetensors(new Uint8Array(await readFile(join(folder, 'model.safetensors'))));
    expect(file.metadata['vae.className']).toBe('VAE');
    const loaded = await loadModelFromPytorchFolder(folder);
    await sameWeights(model, loaded);
    loaded.dispose();
  });

  it('reads the class and config from a `vae train` run config.json too, and refuses one that disagrees', async () => {
    const folder = join(root, 'run-config');
    await savePytorchFolder(model, folder);
    await writeFile(
      join(folder, 'config.json'),
      JSON.stringify({ command: 'train', modelClass: 'VAE', modelConfig: model.config }),
    );
    (await loadModelFromPytorchFolder(folder)).dispose();
    await writeFile(
      join(folder, 'config.json'),
      JSON.stringify({ className: 'VAE', config: { ...model.config, latentDim: 5 } }),
    );
    await expect(loadModelFromPytorchFolder(folder)).rejects.toThrow(
      /different models \(config latentDim\); the files do not belong together/,
    );
    await writeFile(join(folder, 'config.json'), '{"nothing": 1}');
    await expect(loadModelFromPytorchFolder(folder)).rejects.toThrow(/names no model/);
  });

  it('says what to do for a folder without model.safetensors', async () => {
    const folder = join(root, 'empty');
    await mkdir(folder);
    await expect(loadModelFromPytorchFolder(folder)).rejects.toThrow(/no model\.safetensors in .*vae_torch/);
  });

  it('refuses a FIFO, a link out of the folder and a file larger than maxBytes allows', async () => {
    const fifo = join(root, 'fifo');
    await mkdir(fifo);
    execFileSync('mkfifo', [join(fifo, 'model.safetensors')]);
    const started = performance.now();
    await expect(loadModelFromPytorchFolder(fifo)).rejects.toThrow(/FIFO/);
    expect(performance.now() - started).toBeLessThan(5000);

    const outside = join(root, 'outside');
    await mkdir(outside);
    await symlink(join(root, 'folder', 'model.safetensors'), join(outside, 'model.safetensors'));
    await expect(loadModelFromPytorchFolder(outside)).rejects.toThrow(/outside/);

    await expect(
      loadModelFromSafetensorsFile(join(root, 'one', 'vae.safetensors'), { maxBytes: 16 }),
    ).rejects.toThrow(/raise maxBytes/);
  });
});

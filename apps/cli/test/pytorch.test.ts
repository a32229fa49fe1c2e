// `vae export --format safetensors|pytorch` and `vae import` without PyTorch: a Node run exported for PyTorch and
// imported back is the same model; tampered files are refused naming what is wrong; the --out policy holds.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors } from '@vae/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, TINY, vae } from './helpers';

let work = '';
let run = '';

beforeAll(async () => {
  assertBuilt();
  work = await mkdtemp(join(tmpdir(), 'vae-pytorch-'));
  run = join(work, 'run');
  const trained = await vae([
    'train',
    ...TINY,
    '--hidden',
    '32',
    '--latent-dim',
    '4',
    '--out',
    run,
    '--quiet',
  ]);
  expect(trained.code, trained.stderr).toBe(0);
}, 120_000);

describe('export for PyTorch and import back', () => {
  it('round-trips a run through a PyTorch folder: same weights, same test loss', async () => {
    const folder = join(work, 'pt');
    const exported = await vae(['export', run, '--format', 'pytorch', '--out', folder, '--quiet']);
    expect(exported.code, exported.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ format: 'vae-model', className: 'VAE' });
    const file = readSafetensors(new Uint8Array(await readFile(join(folder, 'model.safetensors'))));
    expect(file.tensors.get('encoder.hidden.0.weight')?.shape).toEqual([32, 784]);

    const home = join(work, 'home');
    const imported = await vae(['import', folder, '--out', home, '--test-limit', '64', '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const before = JSON.parse(await readFile(join(run, 'model', 'model.json'), 'utf8'));
    const after = JSON.parse(await readFile(join(home, 'model', 'model.json'), 'utf8'));
    expect(after.modelTopology.weightsSha256).toBe(before.modelTopology.weightsSha256);
    expect(JSON.parse(imported.stdout)).toMatchObject({ model: 'vae', epochsCompleted: 0 });
    for (const name of ['config.json', 'metrics.json', 'report.html', 'samples.png']) {
      await expect(readFile(join(home, name))).resolves.toBeDefined();
    }
    const again = await vae(['import', folder, '--out', home, '--test-limit', '64', '--quiet']);
    expect(again.code, again.stderr).toBe(0); // its own output may be written again
  }, 120_000);

  it('writes one safetensors file in bfloat16 and imports it', async () => {
    const path = join(work, 'vae.safetensors');
    expect(
      (await vae(['export', run, '--format', 'safetensors', '--dtype', 'bfloat16', '--out', path])).code,
    ).toBe(0);
    const file = readSafetensors(new Uint8Array(await readFile(path)));
    expect([...file.tensors.values()].every((t) => t.dtype === 'BF16')).toBe(true);
    expect((await vae(['export', run, '--format', 'safetensors', '--out', path, '--quiet'])).code).toBe(0);
    const imported = await vae([
      'import',
      path,
      '--out',
      join(work, 'from-file'),
      '--test-limit',
      '64',
      '--quiet',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
  }, 120_000);

  it('refuses a tampered file naming the tensors, and metrics that are not numbers', async () => {
    const folder = join(work, 'tampered');
    expect((await vae(['export', run, '--format', 'pytorch', '--out', folder, '--quiet'])).code).toBe(0);
    const bytes = new Uint8Array(await readFile(join(folder, 'model.safetensors')));
    const file = readSafetensors(bytes);
    const tensors = new Map(file.tensors);
    tensors.delete('decoder.logits.bias');
    const metadata = { ...file.metadata };
    delete metadata['vae.weightsSha256'];
    await writeFile(join(folder, 'model.safetensors'), writeSafetensors(tensors, metadata));
    const missing = await vae(['import', folder, '--out', join(work, 'never')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing: decoder\.logits\.bias/);

    const good = join(work, 'with-metrics');
    expect((await vae(['export', run, '--format', 'pytorch', '--out', good, '--quiet'])).code).toBe(0);
    await writeFile(
      join(good, 'metrics.json'),
      JSON.stringify({ epochs: [{ epoch: 1, train: { total: 'NaN' } }] }),
    );
    const metrics = await vae(['import', good, '--out', join(work, 'never2')]);
    expect(metrics.code).toBe(1);
    expect(metrics.stderr).toMatch(/metrics\.json is not a metrics\.json of python\/vae_torch .*remove it/);
  }, 120_000);

  it('keeps the --out policy and strict options', async () => {
    const foreign = join(work, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    const folder = join(work, 'pt-policy');
    expect((await vae(['export', run, '--format', 'pytorch', '--out', folder, '--quiet'])).code).toBe(0);
    expect((await vae(['import', folder, '--out', foreign])).code).toBe(2);
    expect((await vae(['export', run, '--format', 'pytorch', '--out', foreign])).code).toBe(2);
    const other = join(work, 'other.safetensors');
    await writeFile(other, 'not ours');
    expect((await vae(['export', run, '--format', 'safetensors', '--out', other])).code).toBe(2);
    expect((await vae(['export', run, '--dtype', 'float16', '--out', join(work, 'x')])).code).toBe(2);
    expect(
      (await vae(['export', run, '--format', 'pytorch', '--codes', '5', '--out', join(work, 'y')])).code,
    ).toBe(2);
    expect((await vae(['export', run, '--format', 'onnx', '--out', join(work, 'z')])).code).toBe(2);
    const nowhere = await vae(['import', join(work, 'does-not-exist'), '--out', join(work, 'w')]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/model\.safetensors \+ config\.json/);
  }, 120_000);
});

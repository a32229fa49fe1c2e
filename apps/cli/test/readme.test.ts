// The README's examples, run as written: every `vae` line of its bash blocks, in order, on tiny data.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, vae } from './helpers';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));

/** The `vae ...` lines of the ```bash blocks, split into arguments (the examples quote nothing). */
export function exampleCommands(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const block of markdown.matchAll(/^```bash\n([\s\S]*?)^```/gm)) {
    for (const line of block[1].split('\n')) {
      if (line.startsWith('vae '))
        commands.push(
          line
            .replace(/\s+#.*$/, '')
            .trim()
            .split(/\s+/)
            .slice(1),
        );
    }
  }
  return commands;
}

/** What a command wrote: --out of a train run is a directory with a model; of other commands, a file. */
function expectedOutput(args: string[]): string | undefined {
  const at = args.indexOf('--out');
  if (at >= 0) {
    if (args[0] === 'train' || args[0] === 'anomaly' || args[0] === 'import')
      return join(args[at + 1], 'model', 'model.json');
    if (args[0] === 'export') {
      const format = args.includes('--format') ? args[args.indexOf('--format') + 1] : 'tfjs';
      if (format === 'safetensors') return args[at + 1];
      return join(args[at + 1], format === 'pytorch' ? 'model.safetensors' : 'model.json');
    }
    return args[at + 1];
  }
  if (args[0] === 'train')
    return join(args.includes('--resume') ? args[args.indexOf('--resume') + 1] : 'vae-out', 'report.html');
  return undefined;
}

let work = '';
beforeAll(async () => {
  assertBuilt();
  work = await mkdtemp(join(tmpdir(), 'vae-readme-'));
});

describe('README examples', () => {
  it('documents every command with an example', async () => {
    const commands = exampleCommands(await readFile(readme, 'utf8')).map((args) => args[0]);
    for (const name of [
      'train',
      'eval',
      'sample',
      'reconstruct',
      'embed',
      'manifold',
      'interpolate',
      'traverse',
      'anomaly',
      'debias',
      'disentangle',
      'report',
      'export',
      'import',
      'datasets',
      'info',
    ]) {
      expect(commands, name).toContain(name);
    }
  });

  it('runs every example and each writes what it says', async () => {
    const commands = exampleCommands(await readFile(readme, 'utf8'));
    expect(commands.length).toBeGreaterThan(15);
    expect(commands.filter((c) => c[0] === 'train').length).toBeGreaterThanOrEqual(4);
    const env = { VAE_CLI_TEST_LIMIT: '100', VAE_CLI_TEST_EPOCHS: '1' };
    const check = async (args: string[]) => {
      const run = await vae(args, { cwd: work, env });
      expect(run.code, `vae ${args.join(' ')}: ${run.stderr}`).toBe(0);
      const output = expectedOutput(args);
      if (output) expect(existsSync(join(work, output)), `vae ${args.join(' ')} wrote ${output}`).toBe(true);
      if (args.includes('--json')) expect(() => JSON.parse(run.stdout)).not.toThrow();
    };
    // the runs first, in order; then the commands that read them, two at a time; then the imports of exports
    for (const args of commands.filter((c) => c[0] === 'train')) await check(args);
    const rest = commands.filter((c) => c[0] !== 'train' && c[0] !== 'import');
    await Promise.all(
      [0, 1].map(async (lane) => {
        for (let i = lane; i < rest.length; i += 2) await check(rest[i]);
      }),
    );
    for (const args of commands.filter((c) => c[0] === 'import')) await check(args);
    const metrics = JSON.parse(await readFile(join(work, 'vae-out', 'metrics.json'), 'utf8'));
    expect(metrics.epochs).toHaveLength(1); // VAE_CLI_TEST_EPOCHS capped the 5 epochs
    const config = JSON.parse(await readFile(join(work, 'sprites', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model: 'beta-vae', dataset: 'dsprites', trainExamples: 100 });
    expect(config.modelConfig).toMatchObject({ beta: 4, latentDim: 10, inputShape: [64, 64, 1] });
    const dae = JSON.parse(await readFile(join(work, 'dae', 'config.json'), 'utf8'));
    expect(dae.modelConfig).toMatchObject({ noise: 'masking', noiseLevel: 0.5 });
  });
});

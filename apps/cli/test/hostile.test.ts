// Untrusted input, nothing lost: bad values of every kind are usage errors (exit code 2) that name the flag and
// its range; --out never replaces or deletes a file the CLI did not write (unless --force, which still deletes
// nothing); sizes over the limits are refused before anything heavy runs; export goes through the model loader.
import { execFileSync, spawn } from 'node:child_process';
import {
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, bin, vae } from './helpers';

let work = '';
let run = '';
const TINY = [
  ...['--epochs', '1', '--limit', '128', '--test-limit', '32', '--latent-dim', '2', '--hidden', '16'],
  ...['--batch-size', '32', '--backend', 'wasm', '--quiet'],
];

beforeAll(async () => {
  assertBuilt();
  work = await mkdtemp(join(tmpdir(), 'vae-hostile-'));
  run = join(work, 'run');
  const trained = await vae(['train', ...TINY, '--out', run]);
  expect(trained.code, trained.stderr).toBe(0);
});

/** Runs the argument lists a few at a time (each is a child process). */
async function all(cases: string[][], width = 4) {
  const results: Array<Awaited<ReturnType<typeof vae>>> = [];
  for (let i = 0; i < cases.length; i += width) {
    results.push(...(await Promise.all(cases.slice(i, i + width).map((args) => vae(args, { cwd: work })))));
  }
  return results;
}

/** A file's bytes and modification time, to show that nothing touched it. */
async function snapshot(path: string) {
  return { bytes: await readFile(path), mtime: (await stat(path)).mtimeMs };
}

/** A foreign file with an old modification time (a rewrite would change it). */
async function foreign(path: string, contents = `not vae's: ${path}\n`) {
  await writeFile(path, contents);
  const old = new Date('2024-01-02T03:04:05Z');
  await utimes(path, old, old);
  return snapshot(path);
}

describe('numeric options are parsed strictly', () => {
  // [arguments, the message expected]; none of them needs a model, so each exits before loading tfjs
  const CASES: Array<[string[], RegExp]> = [
    [['train', '--beta', ''], /--beta must be a number from 0 to 1000000; got ''/],
    [['train', '--beta', '   '], /--beta must be a number from 0 to 1000000; got ' {3}'/],
    [['train', '--beta', '-1'], /--beta must be a number from 0 to 1000000; got '-1'/],
    [['train', '--epochs', '1e3'], /--epochs must be an integer from 1 to 100000; got '1e3'/],
    [['train', '--epochs', '2.5'], /--epochs must be an integer from 1 to 100000; got '2.5'/],
    [['train', '--epochs', '0x10'], /--epochs must be an integer from 1 to 100000; got '0x10'/],
    [['train', '--epochs', '0'], /--epochs must be an integer from 1 to 100000; got '0'/],
    [['train', '--epochs', '100001'], /--epochs must be an integer from 1 to 100000/],
    [['train', '--batch-size', '1.0'], /--batch-size must be an integer from 1 to 32768; got '1.0'/],
    [['train', '--lr', 'NaN'], /--lr must be a number > 0 and <= 10; got 'NaN'/],
    [['train', '--lr', 'Infinity'], /--lr must be a number > 0 and <= 10; got 'Infinity'/],
    [['train', '--lr', '0'], /--lr must be a number > 0 and <= 10; got '0'/],
    [['train', '--lr', '1e999'], /--lr must be a number > 0 and <= 10; got '1e999'/],
    [['train', '--seed', '4294967296'], /--seed must be an integer from 0 to 4294967295/],
    [
      ['train', '--hidden', '400,abc'],
      /--hidden takes integers from 1 to 16384 .*'abc' in '400,abc' is not one/,
    ],
    [['train', '--hidden', '0'], /--hidden takes integers from 1 to 16384/],
    [['train', '--latent-dim', '5000'], /--latent-dim must be an integer from 1 to 4096/],
    [['train', '--sparsity-target', '1'], /--sparsity-target must be a number > 0 and < 1; got '1'/],
    [['train', '--kl-ramp', '0'], /--kl-ramp must be a number > 0 and <= 1/],
    [['train', '--k', '-2'], /--k must be an integer from 1 to 10000; got '-2'/],
    [['sample', '--model', 'x', '-n', '0'], /-n \(--count\) must be an integer from 1 to 1000000; got '0'/],
    [['sample', '--model', 'x', '-n', '10000000'], /-n \(--count\) must be an integer from 1 to 1000000/],
    [['sample', '--model', 'x', '--temperature', '0'], /--temperature must be a number > 0 and <= 100/],
    [['manifold', '--model', 'x', '--steps', '1'], /--steps must be an integer from 2 to 100000; got '1'/],
    [['manifold', '--model', 'x', '--dimensions', '0'], /--dimensions takes 2 integers from 0 to 4095/],
    [['manifold', '--model', 'x', '--dimensions', '0,1,2'], /--dimensions takes 2 integers/],
    [['traverse', '--model', 'x', '--range', '3,-3'], /--range takes low,high with low <= high/],
    [['traverse', '--model', 'x', '--range', '1e9,2'], /--range takes 2 numbers from -100 to 100/],
    [['traverse', '--model', 'x', '--range', '1,2,3'], /--range takes 2 numbers/],
    [['interpolate', '--model', 'x', '--from', '-1'], /--from must be an integer from 0 to 100000000/],
    [['interpolate', '--model', 'x', '--to', '1.5'], /--to must be an integer from 0 to 100000000/],
    [['eval', '--model', 'x', '--k', '0'], /--k must be an integer from 1 to 1000000; got '0'/],
    [['eval', '--model', 'x', '--limit', ''], /--limit must be an integer from 1 to 100000000; got ''/],
    [['export', 'x', '--out', 'y', '--codes', '0'], /--codes must be an integer from 1 to 10000000/],
    [['anomaly', '--false-positive-rate', '1'], /--false-positive-rate must be a number > 0 and < 1/],
    [['anomaly', '--normal', 'a,b'], /--normal takes integers from 0 to 99999/],
    [['disentangle', '--model', 'x', '--scale', '2'], /--scale must be a number > 0 and <= 1; got '2'/],
  ];

  it('refuses each bad value with exit code 2 and a one-line message naming the flag and its range', async () => {
    const results = await all(CASES.map(([args]) => args));
    results.forEach((result, i) => {
      const [args, message] = CASES[i];
      expect(result.code, `vae ${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr, `vae ${args.join(' ')}`).toMatch(message);
      expect(result.stderr.trim().split('\n'), `vae ${args.join(' ')}`).toHaveLength(1);
    });
  });

  it('checks the values of --config files and of a resumed run the same way', async () => {
    const files: Array<[string, string, RegExp]> = [
      ['empty.yaml', 'beta: ""\n', /beta: .*--beta must be a number from 0 to 1000000; got ''/],
      [
        'inf.yaml',
        'epochs: .inf\n',
        /epochs: .*--epochs must be an integer from 1 to 100000; got 'Infinity'/,
      ],
      ['fraction.json', '{"epochs": 1.5}', /epochs: .*--epochs must be an integer/],
      ['object.json', '{"lr": {"a": 1}}', /lr must be a value/],
      ['force.json', '{"force": true}', /force is given on the command line only/],
      ['large.yaml', 'allow-large: true\n', /allow-large is given on the command line only/],
    ];
    for (const [name, text] of files) await writeFile(join(work, name), text);
    const results = await all(files.map(([name]) => ['train', '--config', join(work, name)]));
    results.forEach((result, i) => {
      expect(result.code, files[i][0]).toBe(2);
      expect(result.stderr, files[i][0]).toMatch(files[i][2]);
    });
    // a FIFO as --config is refused at once instead of hanging the read
    const fifo = join(work, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    const pipe = await vae(['train', '--config', fifo], { cwd: work });
    expect(pipe.code).toBe(2);
    expect(pipe.stderr).toMatch(/is a FIFO \(named pipe\), not a regular file/);

    // the saved options of a run to resume are checked like a config file's
    const edited = join(work, 'edited');
    await cp(run, edited, { recursive: true });
    const config = JSON.parse(await readFile(join(edited, 'config.json'), 'utf8'));
    config.options.batchSize = -5;
    await writeFile(join(edited, 'config.json'), JSON.stringify(config));
    const resumed = await vae(['train', '--resume', edited], { cwd: work });
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(
      /config\.json: batchSize: --batch-size must be an integer from 1 to 32768/,
    );
  });
});

describe('sizes over the limits', () => {
  it('are refused with exit code 2 before the model loads, and --allow-large lifts them', async () => {
    const started = performance.now();
    const cases: Array<[string[], RegExp]> = [
      [
        ['sample', '--model', run, '-n', '50000'],
        /-n 50000 makes 50,000 images, more than the limit of 4,096/,
      ],
      [['manifold', '--model', run, '--steps', '100'], /--steps 100 makes 10,000 images/],
      [['interpolate', '--model', run, '--steps', '5000'], /--steps 5000 makes 5,000 images/],
      [
        ['reconstruct', '--model', run, '-n', '5000'],
        /-n 5000 makes 5,000 images, more than the limit of 1,000/,
      ],
      [
        ['traverse', '--model', run, '--steps', '1000', '--dimensions', '0,1,2,3,4'],
        /--steps 1000 on 5 dimensions makes 5,000 images/,
      ],
      [['eval', '--model', run, '--k', '1000000', '--limit', '1000'], /makes 1,000,000,000 decodes/],
      [['export', run, '--out', join(work, 'never'), '--codes', '9000000'], /makes 9,000,000 code values/],
      [
        ['train', '--batch-size', '32768', '--model', 'iwae', '--k', '50'],
        /makes 1,638,400 rows per training step/,
      ],
    ];
    const results = await all(cases.map(([args]) => args));
    const seconds = (performance.now() - started) / 1000;
    results.forEach((result, i) => {
      const [args, message] = cases[i];
      expect(result.code, `vae ${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/pass --allow-large/);
    });
    expect(seconds).toBeLessThan(60); // nothing was drawn: each exits as soon as it has parsed
    expect(await readdir(work)).not.toContain('never');
    expect(await readdir(work)).not.toContain('samples.png');
    // a model far too big for its flags is refused before it is built
    const huge = await vae(
      ['train', '--hidden', '16384,16384', '--limit', '64', '--out', join(work, 'huge')],
      {
        cwd: work,
      },
    );
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/the model makes [\d,]+ weights .* more than the limit of 20,000,000/);

    const out = join(work, 'wide.png');
    const large = await vae(['reconstruct', '--model', run, '-n', '1001', '--allow-large', '--out', out]);
    expect(large.code, large.stderr).toBe(0);
    expect((await stat(out)).size).toBeGreaterThan(0);
  });
});

describe('--out never loses a file vae did not write', () => {
  it('train: a foreign folder is refused untouched; --force writes beside its files; a run folder is reused', async () => {
    const folder = join(work, 'foreign-train');
    await mkdir(join(folder, 'checkpoint'), { recursive: true });
    const notes = await foreign(join(folder, 'notes.txt'));
    const backup = await foreign(join(folder, 'checkpoint', 'weights-2024-backup.bin'), 'old weights');
    const before = await readdir(folder);

    const refused = await vae(['train', ...TINY, '--out', folder]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /--out .*foreign-train already holds files that `vae train` did not write/,
    );
    expect(refused.stderr).toMatch(/pass --force/);
    expect(await readdir(folder)).toEqual(before);
    expect(await snapshot(join(folder, 'notes.txt'))).toEqual(notes);

    const forced = await vae(['train', ...TINY, '--out', folder, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await snapshot(join(folder, 'notes.txt'))).toEqual(notes);
    expect(await snapshot(join(folder, 'checkpoint', 'weights-2024-backup.bin'))).toEqual(backup);
    expect(await readdir(folder)).toEqual(expect.arrayContaining(['model', 'config.json', '.vae-run.json']));

    // the folder is now a `vae train` run: the same command writes there again without --force
    const again = await vae(['train', ...TINY, '--out', folder]);
    expect(again.code, again.stderr).toBe(0);
    expect(await snapshot(join(folder, 'notes.txt'))).toEqual(notes);
    expect(await snapshot(join(folder, 'checkpoint', 'weights-2024-backup.bin'))).toEqual(backup);

    // another command's folder is not train's
    const other = await vae(['anomaly', '--out', folder, '--limit', '100']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/did not write/);
  });

  it('train: a run from before the marker (config.json and model/) is still its own', async () => {
    const legacy = join(work, 'legacy');
    await cp(run, legacy, { recursive: true });
    await rm(join(legacy, '.vae-run.json'));
    const result = await vae(['train', ...TINY, '--out', legacy]);
    expect(result.code, result.stderr).toBe(0);
    // a config.json of something else is not
    const lookalike = join(work, 'lookalike');
    await mkdir(join(lookalike, 'model'), { recursive: true });
    await writeFile(join(lookalike, 'config.json'), '{"command": "build"}');
    await writeFile(join(lookalike, 'model', 'model.json'), '{}');
    const refused = await vae(['train', ...TINY, '--out', lookalike]);
    expect(refused.code).toBe(2);
    // a run folder whose model/ is a symbolic link elsewhere would send the writes there: refused, even with --force
    const elsewhere = join(work, 'elsewhere');
    await mkdir(elsewhere);
    const kept = await foreign(join(elsewhere, 'model.json'), '{"mine": true}');
    const planted = join(work, 'planted');
    await mkdir(planted);
    await writeFile(join(planted, '.vae-run.json'), '{"command": "train"}');
    await symlink(elsewhere, join(planted, 'model'));
    const linked = await vae(['train', ...TINY, '--out', planted, '--force']);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/holds model as a symbolic link/);
    expect(await snapshot(join(elsewhere, 'model.json'))).toEqual(kept);
  });

  it('anomaly and export: the same policy', async () => {
    const folder = join(work, 'foreign-anomaly');
    await mkdir(folder);
    const notes = await foreign(join(folder, 'notes.txt'));
    const anomaly = ['anomaly', '--normal', '1', '--epochs', '1', '--limit', '300', '--test-limit', '60'];
    const small = [...anomaly, '--hidden', '16', '--latent-dim', '2', '--backend', 'wasm', '--quiet'];
    const refused = await vae([...small, '--out', folder]);
    expect(refused.code).toBe(2);
    expect(await readdir(folder)).toEqual(['notes.txt']);
    const forced = await vae([...small, '--out', folder, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await snapshot(join(folder, 'notes.txt'))).toEqual(notes);
    const again = await vae([...small, '--out', folder]);
    expect(again.code, again.stderr).toBe(0);

    const target = join(work, 'foreign-export');
    await mkdir(target);
    const readme = await foreign(join(target, 'README.md'));
    const exportRefused = await vae(['export', run, '--out', target]);
    expect(exportRefused.code).toBe(2);
    expect(await readdir(target)).toEqual(['README.md']);
    const exportForced = await vae(['export', run, '--out', target, '--force', '--quiet']);
    expect(exportForced.code, exportForced.stderr).toBe(0);
    expect(await snapshot(join(target, 'README.md'))).toEqual(readme);
    // an export folder holds only export's files (no marker: the demo's folders stay clean); it is reused
    const clean = join(work, 'export');
    expect((await vae(['export', run, '--out', clean, '--quiet'])).code).toBe(0);
    expect((await readdir(clean)).sort()).toEqual(['metrics.json', 'model.json', 'weights.bin']);
    const exportAgain = await vae(['export', run, '--out', clean, '--float16', '--quiet']);
    expect(exportAgain.code, exportAgain.stderr).toBe(0);
    expect((await vae(['export', run, '--out', run])).code).toBe(2); // its own run folder
  });

  it('file outputs: a foreign file, a folder, a FIFO and a symbolic link are refused', async () => {
    const photo = join(work, 'photo.png');
    const original = await foreign(photo, 'a photograph');
    const refused = await vae(['sample', '--model', run, '-n', '4', '--out', photo]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--out .*photo\.png exists and is not a PNG written by vae; .*--force/);
    expect(await snapshot(photo)).toEqual(original);
    for (const [command, out] of [
      ['embed', 'photo.png'],
      ['report', 'photo.png'],
    ]) {
      const args =
        command === 'report' ? ['report', run, '--out', photo] : [command, '--model', run, '--out', photo];
      const result = await vae(args, { cwd: work });
      expect(result.code, `${command} --out ${out}`).toBe(2);
    }
    expect(await snapshot(photo)).toEqual(original);

    // its own PNG is replaced without --force; a foreign one with --force
    const samples = join(work, 'mine.png');
    expect((await vae(['sample', '--model', run, '-n', '4', '--out', samples])).code).toBe(0);
    expect((await vae(['sample', '--model', run, '-n', '9', '--out', samples])).code).toBe(0);
    const forced = await vae(['sample', '--model', run, '-n', '4', '--out', photo, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await readFile(photo)).subarray(1, 4).toString()).toBe('PNG');

    const fifo = join(work, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    const link = join(work, 'link.png');
    await symlink(samples, link);
    for (const out of [run, fifo, link]) {
      const result = await vae(['sample', '--model', run, '-n', '4', '--out', out, '--force']);
      expect(result.code, `--out ${out}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/is a (folder|FIFO|symbolic link)/);
    }
    expect((await stat(join(run, 'model'))).isDirectory()).toBe(true);
  });
});

describe('export', () => {
  it('reads the model through the library loader: a weights path outside the folder is refused, not copied', async () => {
    const evil = join(work, 'evil');
    await cp(join(run, 'model'), join(evil, 'model'), { recursive: true });
    await cp(join(run, 'model', 'weights.bin'), join(work, 'secret.bin'));
    const json = JSON.parse(await readFile(join(evil, 'model', 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['../../secret.bin'];
    await writeFile(join(evil, 'model', 'model.json'), JSON.stringify(json));
    const out = join(work, 'evil-export');
    const result = await vae(['export', evil, '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not load the model/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await readdir(out).catch(() => [])).not.toContain('weights.bin');
  });
});

describe('exit codes', () => {
  it('usage errors of every command exit with 2', async () => {
    const cases = [
      [],
      ['frobnicate'],
      ['train', '--epocs', '3'],
      ['train', '--model', 'autoencoder', '--beta', '2'],
      ['eval'],
      ['sample'],
      ['reconstruct', '--model', run, '--split', 'validation'],
      ['embed', '--model', run, '--format', 'xml'],
      ['manifold', '--model', run, '--dimensions', '0,9'],
      ['interpolate', '--model', run, '--to', '99999', '--backend', 'wasm'],
      ['traverse', '--model', run, '--dimensions', '7', '--backend', 'wasm'],
      ['sample', '--model', run, '--label', '3', '--backend', 'wasm'],
      ['sample', '--model', run, '-n', '4', '--columns', '9'],
      ['anomaly', '--model', 'no-such-model'],
      ['disentangle', '--model', run, '--backend', 'wasm'],
      ['report'],
      ['export', run],
      ['datasets', 'bogus'],
      ['datasets', 'verify', 'no-such-set'],
      ['datasets', 'list', 'mnist', 'extra'],
      ['info', '--bogus'],
    ];
    const results = await all(cases);
    results.forEach((result, i) => {
      expect(result.code, `vae ${cases[i].join(' ')}: ${result.stderr}`).toBe(2);
    });
  });

  it('--help ends with the exit codes; Ctrl-C exits with 130', async () => {
    for (const args of [['--help'], ['sample', '--help']]) {
      const help = await vae(args);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Exit codes: 0 success; 1 a failure at run time .* 130 interrupted/s);
    }
    // commands other than train stop at once on Ctrl-C: Node's default, the process ends by SIGINT (a shell's
    // $? is then 130); a handler could not run while a backend computes without yielding
    const ended = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [bin, 'eval', '--model', run, '--k', '20000', '--limit', '2000'],
        {
          cwd: work,
          stdio: 'ignore',
        },
      );
      setTimeout(() => child.kill('SIGINT'), 2500);
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    expect(ended.code === 130 || ended.signal === 'SIGINT', JSON.stringify(ended)).toBe(true);
  });
});

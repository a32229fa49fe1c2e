// Hostile bytes against the format parsers and the fetch loader: header-declared sizes checked before anything is
// allocated, decompression and response sizes limited. Runs in Node and in Chromium (no file system here: the
// Node-only cases, with real files, are in untrusted.node.test.ts). Every input is made here, at test time.
import { Gzip, Zlib } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset } from './browser';
import { parseCifarBatches } from './cifar';
import { csvDataset, parseCsv } from './csv';
import { freyFaceFromIdx } from './frey-face';
import { parseIdx } from './idx';
import { ImageDataset } from './image-dataset';
import { DEFAULT_MAX_BYTES, inflateLimited, readResponseLimited } from './limits';
import { gunzip } from './loading';
import { parseMat } from './mat';
import { readTar, writeTar } from './tar';
import { imageDataDataset } from './user-data';

const MiB = 1024 ** 2;

/** An IDX header declaring `shape`, followed by `payload` bytes (whatever the header says). */
function idxFile(shape: number[], payload: number, rank = shape.length): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + payload);
  out[2] = 0x08;
  out[3] = rank;
  const view = new DataView(out.buffer);
  shape.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  return out;
}

/** Compresses `prefix` then `zeros` zero bytes, 1 MiB at a time (no big input buffer). */
function compressZeros(format: 'gzip' | 'zlib', zeros: number, prefix = new Uint8Array(0)): Uint8Array {
  const chunks: Uint8Array[] = [];
  const ondata = (chunk: Uint8Array) => {
    chunks.push(chunk);
  };
  const stream = format === 'gzip' ? new Gzip({ level: 9 }, ondata) : new Zlib({ level: 9 }, ondata);
  stream.push(prefix);
  const block = new Uint8Array(MiB);
  for (let left = zeros; left > 0; left -= MiB) stream.push(block.subarray(0, Math.min(MiB, left)));
  stream.push(new Uint8Array(0), true);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A level-5 .mat whose one element is compressed and inflates to a matrix tag declaring `zeros` bytes, then them. */
function matBomb(zeros: number): Uint8Array {
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, hostile fixture'));
  header.set([0x00, 0x01, 0x49, 0x4d], 124); // version, 'IM' (little-endian)
  const tag = new Uint8Array(8);
  new DataView(tag.buffer).setUint32(0, 14, true); // miMATRIX
  new DataView(tag.buffer).setUint32(4, zeros, true);
  const compressed = compressZeros('zlib', zeros, tag);
  const outer = new Uint8Array(8);
  new DataView(outer.buffer).setUint32(0, 15, true); // miCOMPRESSED
  new DataView(outer.buffer).setUint32(4, compressed.length, true);
  const out = new Uint8Array(128 + 8 + compressed.length);
  out.set(header);
  out.set(outer, 128);
  out.set(compressed, 136);
  return out;
}

/** Runs `body`, which must throw; returns the message, checking that it took less than `seconds`. */
async function failsFast(body: () => unknown, seconds = 5): Promise<string> {
  const start = Date.now();
  let message: string | undefined;
  try {
    await body();
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message, 'expected an error').toBeTypeOf('string');
  expect(Date.now() - start).toBeLessThan(seconds * 1000);
  return message as string;
}

describe('IDX headers', () => {
  it('checks the declared size against the bytes held, before anything else', async () => {
    const lying = idxFile([60000, 28, 28], 1000);
    expect(await failsFast(() => parseIdx(lying, 'train-images-idx3-ubyte'))).toBe(
      'train-images-idx3-ubyte: the IDX header declares 60000x28x28 = 47,040,000 bytes but the file holds 1,000 ' +
        'after the header; the file is truncated or not IDX. Delete it and download it again.',
    );
    // dimensions whose product is far beyond any file (and beyond exact doubles)
    const huge = idxFile([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], 16);
    expect(() => parseIdx(huge, 'x')).toThrow(
      /x: the IDX header declares 4294967295x4294967295x4294967295x4294967295 = about 3\.40e\+38 bytes but the file holds 16/,
    );
    // more bytes than declared is as wrong as fewer
    expect(() => parseIdx(idxFile([2, 2], 5), 'x')).toThrow(/declares 2x2 = 4 bytes but the file holds 5/);
    expect(parseIdx(idxFile([2, 2], 4)).shape).toEqual([2, 2]);
  });

  it('refuses a bad magic number, a silly number of dimensions and a truncated header', () => {
    expect(() => parseIdx(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]), 'a.zip')).toThrow(
      /a\.zip is not an IDX file \(bad magic number: 50 4b 03 04, expected 00 00 08/,
    );
    expect(() => parseIdx(new Uint8Array(0), 'empty')).toThrow(/bad magic number: the file is empty/);
    expect(() => parseIdx(idxFile([], 0, 0), 'x')).toThrow(/declares 0 dimensions, expected 1 to 8/);
    expect(() => parseIdx(idxFile([], 0, 200), 'x')).toThrow(/declares 200 dimensions, expected 1 to 8/);
    expect(() => parseIdx(idxFile([10], 0, 3), 'x')).toThrow(
      /x is truncated: its header declares 3 dimensions \(16 bytes of header\) but the file holds 8 bytes/,
    );
    const floats = idxFile([1], 4);
    floats[2] = 0x0d;
    expect(() => parseIdx(floats, 'x')).toThrow(/IDX type 0xd \(32-bit floats\); only unsigned bytes/);
  });

  it('refuses a zero item dimension and, with no items, items too large to batch', () => {
    expect(() => parseIdx(idxFile([0, 0xffffffff, 0xffffffff], 0), 'x')).toThrow(
      'x: the IDX header declares items of 4294967295x4294967295 = 18,446,744,065,119,617,000 values, more than ' +
        '268,435,456, the most one item may hold; the file is corrupt or not IDX. Delete it and download it again.',
    );
    expect(() => parseIdx(idxFile([0, 0, 0xffffffff], 0), 'x')).toThrow(
      'x: the IDX header declares 0x0x4294967295, a dimension of 0 after the first (the count); items must have ' +
        'at least one value each. The file is corrupt or not IDX; delete it and download it again.',
    );
    expect(parseIdx(idxFile([0, 28, 28], 0)).shape).toEqual([0, 28, 28]);
    expect(parseIdx(idxFile([0], 0)).shape).toEqual([0]);
  });

  it('reaches the Frey Face reader too', () => {
    expect(() => freyFaceFromIdx(idxFile([1965, 28, 20], 1000), 'frey-faces-idx3-ubyte')).toThrow(
      /frey-faces-idx3-ubyte: the IDX header declares 1965x28x20 = 1,100,400 bytes but the file holds 1,000/,
    );
  });
});

describe('CIFAR, tar and .mat headers', () => {
  it('CIFAR: whole records only, and the expected count before allocating', () => {
    expect(() =>
      parseCifarBatches([{ name: 'data_batch_1.bin', bytes: new Uint8Array(3073 * 2 + 5) }]),
    ).toThrow(
      /data_batch_1\.bin is not a CIFAR-10 binary batch: 6151 bytes is not a whole number of 3073-byte records/,
    );
    expect(() =>
      parseCifarBatches([{ name: 'b.bin', bytes: new Uint8Array(3073 * 3) }], { expectedRecords: 10000 }),
    ).toThrow(/b\.bin holds 3 records, expected 10000 .*truncated/);
  });

  it('tar: an entry declaring more bytes than the archive holds', () => {
    const tar = writeTar([{ name: 'data_batch_1.bin', data: new Uint8Array(100) }]);
    // declare 8 GiB in base-256, then fix the header checksum
    const header = tar.subarray(0, 512);
    header.fill(0, 124, 136);
    header[124] = 0x80;
    header[131] = 0x02;
    header.fill(0x20, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    header.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    expect(() => readTar(tar, 'x.tar')).toThrow(
      /x\.tar is truncated: entry "data_batch_1\.bin" needs 8589934592 bytes, 1536 remain/,
    );
    header[125] = 0xff; // a size beyond exact doubles
    header.fill(0x20, 148, 156);
    const sum2 = header.reduce((a, b) => a + b, 0);
    header.set(new TextEncoder().encode(`${sum2.toString(8).padStart(6, '0')}\0 `), 148);
    expect(() => readTar(tar, 'x.tar')).toThrow(
      /x\.tar is not a tar archive or is corrupt .*impossible size field/,
    );
  });

  it('.mat: declared sizes within the file, and compressed elements inflate up to a limit', async () => {
    // level 4: 100000 x 100000 doubles declared, 8 bytes held
    const v4 = new Uint8Array(20 + 3 + 8);
    const view = new DataView(v4.buffer);
    [0, 100000, 100000, 0, 3].forEach((v, i) => {
      view.setInt32(4 * i, v, true);
    });
    v4.set([0x66, 0x66, 0], 20);
    expect(() => parseMat(v4, 'big.mat')).toThrow(
      /big\.mat is truncated: the level-4 matrix at byte 0 declares 100000 x 100000 values, which needs 80000000000 bytes of data, 8 remain/,
    );
    // level 5: a zlib bomb in a compressed element
    const bomb = matBomb(24 * MiB);
    expect(bomb.length).toBeLessThan(100_000);
    const message = await failsFast(() => parseMat(bomb, 'bomb.mat', { maxBytes: MiB }));
    expect(message).toBe(
      'bomb.mat: its compressed elements inflate to more than 1,048,576 bytes (1 MiB), the most allowed for the ' +
        'decompressed elements of a .mat file; if the data is genuine, pass { maxBytes } to parseMat to raise the ' +
        'limit.',
    );
    expect(() => parseMat(bomb, 'x.mat', { maxBytes: 0 })).toThrow(/maxBytes must be a positive integer/);
  });
});

describe('CSV limits', () => {
  it('stops at maxRows and maxColumns, naming the line, and explains malformed text', () => {
    expect(() => parseCsv('1,2\n3,4\n5,6\n', { name: 't.csv', maxRows: 2 })).toThrow(
      /t\.csv has more than 2 rows, the most allowed \(maxRows\); pass a larger maxRows/,
    );
    expect(() => parseCsv('1,2\n3,4,5,6\n', { name: 't.csv', maxColumns: 3 })).toThrow(
      /t\.csv: line 2 has more than 3 fields, the most allowed \(maxColumns\)/,
    );
    expect(() => csvDataset('a,b\n1,2\n3,4\n', { name: 't.csv', maxRows: 2 })).toThrow(/more than 2 rows/);
    expect(() => parseCsv(`${'1,'.repeat(200_000)}1\n`, { name: 'wide.csv' })).toThrow(
      /wide\.csv: line 1 has more than 100,000 fields/,
    );
    expect(() => parseCsv('a,b\n"1,2\n', { name: 't.csv' })).toThrow(
      /quoted field opened before line 3 is never closed/,
    );
    expect(() => csvDataset('a,b\n1,2\n3\n', { name: 't.csv' })).toThrow(/row 3 has 1 fields, expected 2/);
    expect(() => csvDataset('a,b\n1,x\n', { name: 't.csv' })).toThrow(
      /row 2, column 'b' holds "x", expected a number/,
    );
    expect(() => parseCsv('1\n', { maxRows: 0.5 })).toThrow(/maxRows must be a positive integer/);
  });
});

describe('values and labels that would wrap or overflow', () => {
  it('CSV: a value beyond float32 is refused, not read as Infinity', () => {
    expect(() => csvDataset('a,b\n1,2\n3,1e39\n', { name: 't.csv' })).toThrow(
      "t.csv: row 3, column 'b' holds 1e39, too large for float32 (at most about 3.4e38 in magnitude); rescale " +
        'the column (e.g. take its logarithm) or leave it out with options.columns.',
    );
    expect(() => csvDataset('-4e38\n', { name: 't.csv' })).toThrow(/row 1, column 'column 0' holds -4e38/);
    expect(csvDataset('3e38\n1e-50\n').values).toEqual(new Float32Array([3e38, 0]));
  });

  it('CSV: integer labels must be class indices, neither negative nor beyond int32', () => {
    for (const label of ['-1', '4294967297']) {
      expect(() => csvDataset(`a,y\n1,0\n2,${label}\n`, { name: 't.csv', labelColumn: 'y' })).toThrow(
        `t.csv: row 3, column 'y' has label ${label}; integer labels are class indices from 0 to ` +
          '2,147,483,647. Renumber the classes, or pass classNames to read the labels as names.',
      );
    }
    expect(
      Array.from(csvDataset('a,y\n1,0\n2,-1\n', { labelColumn: 'y', classNames: ['0', '-1'] }).labels ?? []),
    ).toEqual([0, 1]);
  });

  it('images: labels are integers from 0 to 255 and within the class names', () => {
    const image = { width: 1, height: 1, data: new Uint8Array(4) };
    for (const label of [300, -1, 1.5, Number.NaN]) {
      expect(() => imageDataDataset([image], { labels: [label], name: 'mine' })).toThrow(
        `mine: label 0 is ${label}; image labels must be integer class indices from 0 to 255. Number the ` +
          'classes from 0 (and name them with classNames).',
      );
    }
    expect(() => imageDataDataset([image, image], { labels: [1] })).toThrow(/1 labels for 2 images/);
    expect(() => imageDataDataset([image], { labels: [2], classNames: ['a', 'b'], name: 'mine' })).toThrow(
      'mine: image 0 has label 2, but there are only 2 class names (labels 0 to 1); pass a class name for every ' +
        'label, or fix the labels.',
    );
    expect(imageDataDataset([image], { labels: [255] }).labels).toEqual(new Uint8Array([255]));
    const labels = idxFile([3], 3);
    labels.set([0, 1, 9], 8);
    expect(() =>
      ImageDataset.fromIdx(idxFile([3, 1, 1], 3), labels, { name: 'idx', classNames: ['a', 'b'] }),
    ).toThrow(/idx: image 2 has label 9, but there are only 2 class names/);
  });
});

describe('decompression limits', () => {
  const bomb = compressZeros('gzip', 64 * MiB);

  it('gunzip stops a gzip bomb at maxBytes, naming the file, the limit and the override', async () => {
    expect(bomb.length).toBeLessThan(200_000);
    const message = await failsFast(() => gunzip(bomb, 'bomb.gz', { maxBytes: 4 * MiB }));
    expect(message).toBe(
      "bomb.gz decompresses to more than 4,194,304 bytes (4 MiB), the most allowed for gunzip's output; if the " +
        'data is genuine, pass { maxBytes } to gunzip to raise the limit.',
    );
    expect(DEFAULT_MAX_BYTES).toBe(1024 ** 3);
    // within the limit, the same bytes come back
    const small = compressZeros('gzip', 1000, new Uint8Array([1, 2, 3]));
    expect(Array.from((await gunzip(small, 'small.gz', { maxBytes: 1003 })).subarray(0, 4))).toEqual([
      1, 2, 3, 0,
    ]);
    await expect(gunzip(small, 'small.gz', { maxBytes: 1002 })).rejects.toThrow(/more than 1,002 bytes/);
  });

  it('the JavaScript inflater (where there is no DecompressionStream) stops too', async () => {
    const limit = { maxBytes: 4 * MiB, what: 'a test', fix: 'raise it.' };
    const message = await failsFast(() => inflateLimited(bomb, 'gzip', 'bomb.gz', limit));
    expect(message).toBe(
      'bomb.gz decompresses to more than 4,194,304 bytes (4 MiB), the most allowed for a test; raise it.',
    );
    const small = compressZeros('zlib', 10, new Uint8Array([7]));
    expect(Array.from(inflateLimited(small, 'zlib', 's', limit))).toEqual([7, ...new Array(10).fill(0)]);
    expect(() => inflateLimited(small.subarray(0, 5), 'zlib', 's', limit)).toThrow();
  });
});

describe('responses', () => {
  const endless = () =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
  const limit = { maxBytes: 3 * MiB, what: 'a test file', fix: 'check the server.' };

  it('refuses a Content-Length over the limit before reading, and cuts an endless body at the limit', async () => {
    const declared = new Response(endless(), { headers: { 'content-length': String(10 * 1024 ** 3) } });
    expect(await failsFast(() => readResponseLimited(declared, 'https://x.test/f', limit))).toBe(
      'https://x.test/f answers with 10,737,418,240 bytes (10 GiB) (Content-Length), more than 3,145,728 bytes ' +
        '(3 MiB), the most allowed for a test file; check the server.',
    );
    expect(
      await failsFast(() => readResponseLimited(new Response(endless()), 'https://x.test/f', limit)),
    ).toBe(
      'https://x.test/f sends more than 3,145,728 bytes (3 MiB), the most allowed for a test file; check the server.',
    );
    const fine = await readResponseLimited(new Response(new Uint8Array([1, 2, 3])), 'u', limit);
    expect(Array.from(fine)).toEqual([1, 2, 3]);
  });

  it('the fetch loader: a gzip bomb, an endless answer and a lying Content-Length fail fast, and nothing is cached', async () => {
    const base = 'https://data.example.test/hostile/';
    const bomb = compressZeros('gzip', 64 * MiB);
    const requests: string[] = [];
    const fetcher = (async (input: RequestInfo | URL) => {
      const url = String(input);
      requests.push(url);
      if (url.endsWith('t10k-images-idx3-ubyte.gz')) return new Response(bomb as Uint8Array<ArrayBuffer>);
      if (url.endsWith('t10k-images-idx3-ubyte')) return new Response(endless());
      return new Response(null, { status: 404 });
    }) as typeof fetch;
    const cache = `vae-hostile-${Math.random().toString(36).slice(2)}`;
    const message = await failsFast(() =>
      loadDataset('mnist', { split: 'test', baseUrl: base, fetch: fetcher, cache, attempts: 3 }),
    );
    expect(message).toContain(
      `${base}t10k-images-idx3-ubyte.gz decompresses to more than 7,840,016 bytes, the most allowed for ` +
        't10k-images-idx3-ubyte of MNIST handwritten digits (its size in the catalog); it is not that file, or it ' +
        'is a decompression bomb; it was not cached',
    );
    expect(message).toContain(
      `${base}t10k-images-idx3-ubyte sends more than 8,888,592 bytes, the most allowed for t10k-images-idx3-ubyte ` +
        'of MNIST handwritten digits (its size in the catalog plus 1 MiB)',
    );
    // an answer over the limit is not retried
    expect(requests).toEqual([`${base}t10k-images-idx3-ubyte.gz`, `${base}t10k-images-idx3-ubyte`]);
    if (typeof caches !== 'undefined') {
      expect(await (await caches.open(cache)).keys()).toEqual([]);
      await caches.delete(cache);
    }

    const lying = (async () =>
      new Response(endless(), { headers: { 'content-length': String(2 ** 40) } })) as typeof fetch;
    await expect(
      loadDataset('cifar-10', { split: 'test', baseUrl: base, fetch: lying, cache: false }),
    ).rejects.toThrow(
      /cifar-10-binary\.tar\.gz answers with 1,099,511,627,776 bytes \(1024 GiB\) \(Content-Length\), more than 171,100,747 bytes, the most allowed for cifar-10-binary\.tar\.gz \(its size in the catalog plus 1 MiB\); it is not that file; it was not cached/,
    );
  });

  it('the fetch loader gives up a stalled answer (idleTimeout) and a slow one (timeout), and checks attempts', async () => {
    const base = 'https://data.example.test/stalled/';
    const signals: AbortSignal[] = [];
    let cancelled = 0;
    const stalled = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.signal) signals.push(init.signal);
      // one byte, then nothing, ever
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([1]));
        },
        cancel() {
          cancelled++;
        },
      });
      return new Response(body);
    }) as typeof fetch;
    const options = { split: 'test' as const, baseUrl: base, cache: false as const, attempts: 1 };
    const message = await failsFast(() =>
      loadDataset('mnist', { ...options, fetch: stalled, idleTimeout: 100 }),
    );
    expect(message).toContain(
      `${base}t10k-images-idx3-ubyte.gz: nothing received for 0.1 s (idleTimeout); the server stalled. Try again ` +
        'later or pass a larger idleTimeout',
    );
    expect(signals.length).toBe(2); // .gz, then the uncompressed name
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(cancelled).toBe(2);
    // A fetch that never answers (and ignores the signal) is given up too.
    const silent = (() => new Promise<Response>(() => undefined)) as typeof fetch;
    expect(
      await failsFast(() => loadDataset('mnist', { ...options, fetch: silent, idleTimeout: 100 })),
    ).toContain('nothing received for 0.1 s (idleTimeout)');
    // A byte every 20 ms never idles, but the attempt's deadline ends it.
    const trickle = (async () => {
      let timer: ReturnType<typeof setInterval> | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          timer = setInterval(() => controller.enqueue(new Uint8Array([1])), 20);
        },
        cancel() {
          clearInterval(timer);
        },
      });
      return new Response(body);
    }) as typeof fetch;
    expect(
      await failsFast(() =>
        loadDataset('mnist', { ...options, fetch: trickle, idleTimeout: 1000, timeout: 200 }),
      ),
    ).toContain(
      `${base}t10k-images-idx3-ubyte.gz: the attempt took more than 0.2 s (timeout); pass a larger timeout`,
    );
    for (const attempts of [0, 1.5, Number.POSITIVE_INFINITY, 11]) {
      await expect(loadDataset('mnist', { ...options, attempts })).rejects.toThrow(
        `loadDataset: attempts must be an integer from 1 to 10 (tries per URL), got ${attempts}; leave it out for ` +
          'the default (3).',
      );
    }
    await expect(loadDataset('mnist', { ...options, idleTimeout: 0 })).rejects.toThrow(
      'loadDataset: idleTimeout must be a number of milliseconds above 0 (at most 2^31 - 1, about 24 days), got 0; ' +
        'leave it out for the default (60 s).',
    );
    await expect(loadDataset('mnist', { ...options, timeout: Number.NaN })).rejects.toThrow(
      /loadDataset: timeout must be a number of milliseconds above 0 .*got NaN; leave it out for the default \(1800 s\)/,
    );
  });
});

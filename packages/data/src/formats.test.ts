import * as tf from '@tensorflow/tfjs-core';
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { cifarDataset, cifarFilesFromTar, parseCifarBatches } from './cifar';
import { csvDataset, invertNormalization, parseCsv } from './csv';
import { freyFaceFromIdx, freyFaceFromMat } from './frey-face';
import { checksumError, gunzip, sha256Hex, verifiedIdx } from './loading';
import { parseMat } from './mat';
import { readTar, writeTar } from './tar';
import { arraySource, imageDataDataset } from './user-data';

// ---------- fixtures ----------

/** A level-4 MAT file with one matrix. precision: 0 double, 5 uint8. */
function mat4(
  name: string,
  rows: number,
  columns: number,
  values: number[],
  precision = 0,
  littleEndian = true,
) {
  const sizes = [8, 4, 4, 2, 2, 1];
  const nameBytes = new TextEncoder().encode(`${name}\0`);
  const out = new Uint8Array(20 + nameBytes.length + values.length * sizes[precision]);
  const view = new DataView(out.buffer);
  [(littleEndian ? 0 : 1000) + precision * 10, rows, columns, 0, nameBytes.length].forEach((v, i) => {
    view.setInt32(4 * i, v, littleEndian);
  });
  out.set(nameBytes, 20);
  const start = 20 + nameBytes.length;
  values.forEach((v, i) => {
    if (precision === 0) view.setFloat64(start + 8 * i, v, littleEndian);
    else out[start + i] = v;
  });
  return out;
}

/** A level-5 data element (tag + data + padding). */
function element(type: number, data: Uint8Array, littleEndian: boolean): Uint8Array {
  const padded = Math.ceil(data.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, littleEndian);
  view.setUint32(4, data.length, littleEndian);
  out.set(data, 8);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A level-5 MAT file with one uint8 (class 9) or double (class 6) matrix. */
function mat5(
  name: string,
  dims: number[],
  values: number[],
  options: { double?: boolean; littleEndian?: boolean; compress?: boolean } = {},
): Uint8Array {
  const le = options.littleEndian ?? true;
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, test fixture'));
  const hv = new DataView(header.buffer);
  hv.setUint16(124, 0x0100, le);
  header.set(new TextEncoder().encode(le ? 'IM' : 'MI'), 126);
  const u32 = (...v: number[]) => {
    const b = new Uint8Array(4 * v.length);
    v.forEach((x, i) => {
      new DataView(b.buffer).setUint32(4 * i, x, le);
    });
    return b;
  };
  const flags = element(6, u32(options.double ? 6 : 9, 0), le);
  const dimsElement = element(5, u32(...dims), le);
  // a name of up to 4 bytes goes in a small data element
  const nameBytes = new TextEncoder().encode(name);
  let nameElement: Uint8Array;
  if (nameBytes.length <= 4) {
    nameElement = new Uint8Array(8);
    new DataView(nameElement.buffer).setUint32(0, (nameBytes.length << 16) | 1, le);
    nameElement.set(nameBytes, 4);
  } else {
    nameElement = element(1, nameBytes, le);
  }
  let data: Uint8Array;
  if (options.double) {
    data = new Uint8Array(8 * values.length);
    values.forEach((v, i) => {
      new DataView(data.buffer).setFloat64(8 * i, v, le);
    });
  } else {
    data = Uint8Array.from(values);
  }
  const matrix = element(
    14,
    concat(flags, dimsElement, nameElement, element(options.double ? 9 : 2, data, le)),
    le,
  );
  if (!options.compress) return concat(header, matrix);
  const compressed = zlibSync(matrix);
  const tag = new Uint8Array(8);
  new DataView(tag.buffer).setUint32(0, 15, le);
  new DataView(tag.buffer).setUint32(4, compressed.length, le);
  return concat(header, tag, compressed);
}

function idx(shape: number[], values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + values.length);
  out[2] = 8;
  out[3] = shape.length;
  shape.forEach((d, i) => {
    new DataView(out.buffer).setUint32(4 + 4 * i, d, false);
  });
  out.set(values, 4 + 4 * shape.length);
  return out;
}

/** A CIFAR record: label, then each channel filled with a pattern that tells channel and pixel apart. */
function cifarRecords(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((label, r) => {
    out[r * 3073] = label;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) out[r * 3073 + 1 + c * 1024 + p] = (r * 50 + c * 80 + p) % 256;
    }
  });
  return out;
}

// ---------- MAT ----------

describe('parseMat', () => {
  const columnMajor = [1, 4, 2, 5, 3, 6]; // [[1, 2, 3], [4, 5, 6]]

  it('reads level 5 files: bytes or doubles, either byte order, compressed or not', () => {
    for (const options of [
      {},
      { littleEndian: false },
      { double: true },
      { compress: true },
      { double: true, littleEndian: false, compress: true },
    ]) {
      const [array] = parseMat(mat5('ff', [2, 3], columnMajor, options));
      expect(array.name).toBe('ff');
      expect(array.dims).toEqual([2, 3]);
      expect(array.className).toBe(options.double ? 'double' : 'uint8');
      expect(Array.from(array.values)).toEqual(columnMajor);
    }
    expect(parseMat(mat5('images', [2, 3], columnMajor))[0].name).toBe('images');
  });

  it('reads level 4 files in either byte order', () => {
    for (const littleEndian of [true, false]) {
      const [array] = parseMat(mat4('ff', 2, 3, columnMajor, 0, littleEndian));
      expect(array).toMatchObject({ name: 'ff', dims: [2, 3], className: 'double' });
      expect(Array.from(array.values)).toEqual(columnMajor);
    }
    const two = concat(mat4('a', 1, 2, [7, 8], 5), mat4('b', 1, 1, [9]));
    expect(parseMat(two).map((a) => [a.name, Array.from(a.values)])).toEqual([
      ['a', [7, 8]],
      ['b', [9]],
    ]);
  });

  it('explains bad files', () => {
    const good = mat5('ff', [2, 3], columnMajor);
    expect(() => parseMat(good.subarray(0, good.length - 9), 'x.mat')).toThrow(/x\.mat is truncated/);
    expect(() => parseMat(good.subarray(0, 100), 'x.mat')).toThrow(/128-byte MAT-file header is incomplete/);
    const noIndicator = good.slice();
    noIndicator[126] = 0x41;
    expect(() => parseMat(noIndicator, 'x.mat')).toThrow(/not a MATLAB \.mat file .*endian indicator/);
    expect(() =>
      parseMat(new Uint8Array([0x89, 0x48, 0x44, 0x46, ...new Array(30).fill(0)]), 'x.mat'),
    ).toThrow(/v7\.3 \(HDF5\)/);
    const v4 = mat4('ff', 2, 3, columnMajor);
    expect(() => parseMat(v4.subarray(0, v4.length - 1), 'y.mat')).toThrow(
      /y\.mat is truncated.*needs 48 bytes/,
    );
    expect(() => parseMat(new Uint8Array(8), 'z.mat')).toThrow(/z\.mat is truncated/);
  });
});

// ---------- Frey Face ----------

describe('Frey Face files', () => {
  const n = 3;
  const pixels = Array.from({ length: n * 560 }, (_, i) => (i * 7) % 256);

  it('reads the images from a .mat (560 x N, one image per column, or N x 560) and from IDX', () => {
    const fromMat = freyFaceFromMat(mat5('ff', [560, n], pixels));
    expect(fromMat.count).toBe(n);
    expect(Array.from(fromMat.pixels)).toEqual(pixels);
    // N x 560 stored column-major: element (image, p) at p * N + image
    const transposed = new Array(n * 560);
    for (let image = 0; image < n; image++) {
      for (let p = 0; p < 560; p++) transposed[p * n + image] = pixels[image * 560 + p];
    }
    expect(Array.from(freyFaceFromMat(mat5('faces', [n, 560], transposed, { double: true })).pixels)).toEqual(
      pixels,
    );
    expect(Array.from(freyFaceFromMat(mat4('ff', 560, n, pixels, 5)).pixels)).toEqual(pixels);
    expect(Array.from(freyFaceFromIdx(idx([n, 28, 20], pixels)).pixels)).toEqual(pixels);
  });

  it('explains files that do not hold Frey Face', () => {
    expect(() => freyFaceFromMat(mat5('x', [2, 3], [1, 2, 3, 4, 5, 6]), 'a.mat')).toThrow(
      /a\.mat has no variable 'ff' of 560 x N pixels \(found: x \[2,3\]\)/,
    );
    expect(() => freyFaceFromMat(mat5('ff', [2, 3], [1, 2, 3, 4, 5, 6]), 'a.mat')).toThrow(
      /is \[2,3\], expected \[560, N\]/,
    );
    expect(() =>
      freyFaceFromMat(mat5('ff', [560, 1], new Array(560).fill(0.5), { double: true }), 'a.mat'),
    ).toThrow(/holds 0\.5 at element 0; expected grey levels 0-255/);
    expect(() => freyFaceFromIdx(idx([2, 28, 28], new Array(2 * 784).fill(0)), 'f.idx')).toThrow(
      /f\.idx holds \[2,28,28\], expected \[N, 28, 20\]/,
    );
  });
});

// ---------- tar and CIFAR ----------

describe('readTar', () => {
  it('reads back what writeTar writes, and rejects damage', () => {
    const files = [
      { name: 'a/b.txt', data: new TextEncoder().encode('hello') },
      { name: 'empty', data: new Uint8Array(0) },
      { name: 'big.bin', data: Uint8Array.from({ length: 1300 }, (_, i) => i % 251) },
    ];
    const tar = writeTar(files);
    const entries = readTar(tar);
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['a/b.txt', 'file', 5],
      ['empty', 'file', 0],
      ['big.bin', 'file', 1300],
    ]);
    expect(Array.from(entries[2].data)).toEqual(Array.from(files[2].data));
    const corrupt = tar.slice();
    corrupt[10] ^= 1;
    expect(() => readTar(corrupt, 'x.tar')).toThrow(
      /x\.tar is not a tar archive or is corrupt: header checksum/,
    );
    expect(() => readTar(tar.subarray(0, 2500), 'x.tar')).toThrow(
      /x\.tar is truncated: entry "big.bin" needs 1300/,
    );
    expect(() => readTar(new Uint8Array([0x1f, 0x8b, 8]), 'x.tar.gz')).toThrow(/gzip-compressed/);
    expect(() => readTar(new Uint8Array(100), 'x.tar')).toThrow(/truncated/);
  });
});

describe('CIFAR-10 binary batches', () => {
  it('converts CHW records to HWC images with labels', async () => {
    const data = cifarDataset([{ name: 'test_batch.bin', bytes: cifarRecords([3, 9]) }]);
    expect(data.size).toBe(2);
    expect(data.itemShape).toEqual([32, 32, 3]);
    expect(Array.from(data.labels!)).toEqual([3, 9]);
    expect(data.classNames![3]).toBe('cat');
    // pixel p of record r: R = r*50 + p, G = r*50 + 80 + p, B = r*50 + 160 + p (mod 256)
    const image = data.images.subarray(3072, 6144);
    for (const p of [0, 1, 33, 1023]) {
      expect([image[3 * p], image[3 * p + 1], image[3 * p + 2]]).toEqual([
        (50 + p) % 256,
        (130 + p) % 256,
        (210 + p) % 256,
      ]);
    }
    const batch = data.batch([1]);
    expect(batch.shape).toEqual([1, 32, 32, 3]);
    tf.dispose(batch);
  });

  it('reads the split from an archive and explains bad files', () => {
    const tar = writeTar([
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: new TextEncoder().encode('airplane\n') },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarRecords([1, 2, 3]) },
    ]);
    const files = cifarFilesFromTar(tar, 'test', 'c.tar');
    expect(files.map((f) => f.name)).toEqual(['c.tar:cifar-10-batches-bin/test_batch.bin']);
    expect(parseCifarBatches(files).count).toBe(3);
    expect(() => cifarFilesFromTar(tar, 'train', 'c.tar')).toThrow(/c\.tar has no data_batch_1\.bin/);
    expect(() => parseCifarBatches([{ name: 'd.bin', bytes: new Uint8Array(3074) }])).toThrow(
      /d\.bin is not a CIFAR-10 binary batch: 3074 bytes is not a whole number of 3073-byte records/,
    );
    expect(() =>
      parseCifarBatches([{ name: 'd.bin', bytes: cifarRecords([1]) }], { expectedRecords: 10000 }),
    ).toThrow(/d\.bin holds 1 records, expected 10000 \(30730000 bytes\)/);
    expect(() => parseCifarBatches([{ name: 'e.bin', bytes: cifarRecords([1, 57]) }])).toThrow(
      /record 1 has label 57, expected 0-9/,
    );
  });
});

// ---------- checksums and gzip ----------

describe('verification', () => {
  it('hashes with SubtleCrypto and decompresses gzip', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const text = new TextEncoder().encode('hello hello hello');
    const gz = new Uint8Array(
      await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer(),
    );
    expect(new TextDecoder().decode(await gunzip(gz))).toBe('hello hello hello');
    await expect(gunzip(gz.subarray(0, gz.length - 6), 'f.gz')).rejects.toThrow(
      /f\.gz is not a valid gzip file.*truncated or corrupt/,
    );
    await expect(gunzip(text, 'g.gz')).rejects.toThrow(/g\.gz is not gzip-compressed/);
  });

  it('names the file, both checksums and the fix on a mismatch', async () => {
    const bytes = idx([1], [5]);
    const file = { name: 'labels', sha256: await sha256Hex(bytes), bytes: bytes.length };
    expect(
      (await verifiedIdx(file, bytes, 'labels', sha256Hex, { compressed: false, fix: 'x' })).shape,
    ).toEqual([1]);
    const bad = idx([1], [6]);
    const actual = await sha256Hex(bad);
    await expect(
      verifiedIdx(file, bad, '/data/labels', sha256Hex, {
        compressed: true,
        fix: 'delete it and try again.',
      }),
    ).rejects.toThrow(
      `/data/labels failed its checksum: SHA-256 of the decompressed content is ${actual}, expected ${file.sha256}. ` +
        'The file is corrupt or a different version; delete it and try again.',
    );
    expect(checksumError('f', 'a', 'b', 'x', 'y').message).toContain('f failed its checksum');
  });
});

// ---------- CSV ----------

describe('CSV', () => {
  it('parses quotes, embedded delimiters and newlines, CRLF and blank lines', () => {
    const text = '\ufeffname,note\r\n"a, b","say ""hi"""\r\n\r\nc,"two\nlines"\nd,\n';
    expect(parseCsv(text)).toEqual([
      ['name', 'note'],
      ['a, b', 'say "hi"'],
      ['c', 'two\nlines'],
      ['d', ''],
    ]);
    expect(parseCsv('1;2\n3;4', { delimiter: ';' })).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(() => parseCsv('a,"b\nc', { name: 'x.csv' })).toThrow(/x\.csv: a quoted field .* is never closed/);
  });

  it('builds a data set with labels and normalization fitted on training data', async () => {
    const train = csvDataset('x,y,kind\n0,10,cat\n5,20,dog\n10,30,cat\n', {
      labelColumn: 'kind',
      normalize: 'min-max',
      name: 'train.csv',
    });
    expect(train.size).toBe(3);
    expect(train.itemShape).toEqual([2]);
    expect(train.columns).toEqual(['x', 'y']);
    expect(Array.from(train.labels!)).toEqual([0, 1, 0]);
    expect(train.classNames).toEqual(['cat', 'dog']);
    expect(Array.from(train.values)).toEqual([0, 0, 0.5, 0.5, 1, 1]);
    const batch = train.batch([2, 0]);
    expect(Array.from(await batch.data())).toEqual([1, 1, 0, 0]);
    batch.dispose();
    // the test set reuses the training statistics and class names
    const test = csvDataset('x,y,kind\n20,10,dog\n', {
      labelColumn: 'kind',
      stats: train.normalization,
      classNames: train.classNames,
    });
    expect(Array.from(test.values)).toEqual([2, 0]);
    expect(Array.from(test.labels!)).toEqual([1]);
    expect(Array.from(invertNormalization(test.values, train.normalization!))).toEqual([20, 10]);

    const standardized = csvDataset('1,2\n3,2\n', { normalize: 'standardize' });
    expect(standardized.columns).toEqual(['column 0', 'column 1']);
    expect(Array.from(standardized.values)).toEqual([-1, 0, 1, 0]);
    const numericLabels = csvDataset('a,label\n1,7\n2,3\n', { labelColumn: 'label', columns: ['a'] });
    expect(Array.from(numericLabels.labels!)).toEqual([7, 3]);
  });

  it('names the row, column and value at fault', () => {
    expect(() => csvDataset('a,b\n1,2\n3,x\n', { name: 'd.csv' })).toThrow(
      /d\.csv: row 3, column 'b' holds "x", expected a number/,
    );
    expect(() => csvDataset('a,b\n1,2\n3\n', { name: 'd.csv' })).toThrow(/row 3 has 1 fields, expected 2/);
    expect(() => csvDataset('a,b\n1,2\n', { labelColumn: 'c', name: 'd.csv' })).toThrow(
      /d\.csv: no column "c"; the columns are: a, b/,
    );
    expect(() => csvDataset('', { name: 'd.csv' })).toThrow(/d\.csv is empty/);
    expect(() => csvDataset('a,b\n', { name: 'd.csv' })).toThrow(/header but no rows/);
    expect(() => csvDataset('1,2\n', { stats: { method: 'min-max', offset: [0], scale: [1] } })).toThrow(
      /statistics have 1 columns, the data 2/,
    );
  });
});

// ---------- user arrays and images ----------

describe('user data', () => {
  it('batches typed arrays of any shape, scaled', async () => {
    const source = arraySource({ values: Uint8Array.from([0, 255, 51, 102]), shape: [2, 2], scale: 1 / 255 });
    const batch = source.batch([1, 0]);
    expect(batch.shape).toEqual([2, 2]);
    expect(Array.from(await batch.data())).toEqual([0.2, 0.4, 0, 1].map(Math.fround));
    batch.dispose();
    expect(() => arraySource({ values: new Float32Array(5), shape: [2, 2] })).toThrow(/5 values do not fill/);
    expect(() => arraySource({ values: new Float32Array(4), shape: [2, 2], labels: [1] })).toThrow(
      /1 labels for 2/,
    );
  });

  it('builds image data sets from RGBA images', () => {
    const rgba = (r: number, g: number, b: number) => ({
      width: 2,
      height: 1,
      data: Uint8ClampedArray.from([r, g, b, 255, r, g, b, 255]),
    });
    const grey = imageDataDataset([rgba(255, 255, 255), rgba(0, 0, 0)], { labels: [1, 0] });
    expect(grey.itemShape).toEqual([1, 2, 1]);
    expect(Array.from(grey.images)).toEqual([255, 255, 0, 0]);
    const colour = imageDataDataset([rgba(10, 20, 30)], { channels: 3 });
    expect(Array.from(colour.images)).toEqual([10, 20, 30, 10, 20, 30]);
    expect(() =>
      imageDataDataset([rgba(0, 0, 0), { width: 1, height: 1, data: new Uint8Array(4) }], {
        names: ['a', 'b'],
      }),
    ).toThrow(/b is 1x1, expected 2x1 like the first image/);
  });
});

/**
 * A minimal reader for (uncompressed) tar archives: POSIX ustar, GNU long names and pax `path` records, which is
 * what `tar` and Python's tarfile write. Entries are views into the archive's bytes; nothing is copied.
 */

export interface TarEntry {
  /** Path inside the archive, e.g. 'cifar-10-batches-bin/data_batch_1.bin'. */
  name: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  /** The entry's content (a view into the archive). */
  data: Uint8Array;
}

const BLOCK = 512;

function text(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(start, end));
}

function octal(bytes: Uint8Array, start: number, length: number, what: string): number {
  if (bytes[start] & 0x80) {
    // GNU base-256 encoding for large values.
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + bytes[i];
    if (!Number.isSafeInteger(value)) throw new Error(`impossible ${what} field (base-256, ${value} bytes)`);
    return value;
  }
  const field = text(bytes, start, length).trim();
  if (field === '') return 0;
  if (!/^[0-7]+$/.test(field)) throw new Error(`bad ${what} field ${JSON.stringify(field)}`);
  return Number.parseInt(field, 8);
}

/** Parses a tar archive. Throws, naming the archive, on a corrupt header or a truncated entry. */
export function readTar(bytes: Uint8Array, file = 'tar archive'): TarEntry[] {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new Error(`${file} is gzip-compressed; decompress it first (a .tar.gz is a gzipped tar archive).`);
  }
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= bytes.length) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return entries; // end-of-archive marker
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    let size: number;
    let stored: number;
    try {
      stored = octal(header, 148, 8, 'checksum');
      size = octal(header, 124, 12, 'size');
    } catch (error) {
      throw new Error(
        `${file} is not a tar archive or is corrupt at byte ${offset} (${(error as Error).message}). ` +
          'Download it again.',
      );
    }
    if (stored !== sum) {
      throw new Error(
        `${file} is not a tar archive or is corrupt: header checksum at byte ${offset} is ${stored}, ` +
          `expected ${sum}. Download it again.`,
      );
    }
    const flag = String.fromCharCode(header[156]);
    const start = offset + BLOCK;
    // The declared size is checked against the bytes the archive holds before the entry is used (entries are
    // views: nothing is allocated for them).
    if (start + size > bytes.length) {
      throw new Error(
        `${file} is truncated: entry ${JSON.stringify(text(header, 0, 100))} needs ${size} bytes, ` +
          `${bytes.length - start} remain. Delete it and download it again.`,
      );
    }
    const data = bytes.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (flag === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(data));
      if (path) longName = path[1];
      continue;
    }
    if (flag === 'g') continue;
    const magic = text(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? text(header, 345, 155) : '';
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    const type =
      flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '5' ? 'directory' : 'other';
    entries.push({ name, type, size, data });
  }
  if (offset < bytes.length || entries.length === 0) {
    throw new Error(
      `${file} is truncated: it ends inside a header at byte ${offset} (${bytes.length} bytes) without the ` +
        'end-of-archive marker. Download it again.',
    );
  }
  return entries;
}

/**
 * Writes a tar archive of regular files (ustar; names up to 100 bytes). Meant for small fixtures and tests, and
 * for packing data the user made.
 */
export function writeTar(files: ReadonlyArray<{ name: string; data: Uint8Array }>): Uint8Array {
  const size = files.reduce((n, f) => n + BLOCK + Math.ceil(f.data.length / BLOCK) * BLOCK, 2 * BLOCK);
  const out = new Uint8Array(size);
  const encoder = new TextEncoder();
  let offset = 0;
  for (const file of files) {
    const name = encoder.encode(file.name);
    if (name.length > 100) throw new Error(`writeTar: name longer than 100 bytes: ${file.name}`);
    const header = out.subarray(offset, offset + BLOCK);
    header.set(name, 0);
    const field = (start: number, length: number, value: number) => {
      header.set(encoder.encode(`${value.toString(8).padStart(length - 1, '0')}\0`), start);
    };
    field(100, 8, 0o644);
    field(108, 8, 0);
    field(116, 8, 0);
    field(124, 12, file.data.length);
    field(136, 12, 0);
    header[156] = '0'.charCodeAt(0);
    header.set(encoder.encode('ustar\x0000'), 257);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    header.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
    out.set(file.data, offset + BLOCK);
    offset += BLOCK + Math.ceil(file.data.length / BLOCK) * BLOCK;
  }
  return out;
}

/**
 * Reading untrusted files in Node: the one place in `@vae/data` that opens a file to read it.
 *
 * `readRegularFile` stats the path (following symbolic links) before opening it, so that a FIFO (which would block
 * forever), a character or block device (`/dev/zero` would never end), a socket or a directory is refused with an
 * error that names the path, says what it is and what was expected; refuses a file over its limit before reading a
 * byte; opens without blocking and checks the opened file again (in case the path changed in between); and never
 * reads more than the size it found. `gunzipFile` decompresses with a maximum output size.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { type ByteLimit, formatBytes, tooLargeError } from './limits';

/** What a path is, in words, for errors ("a directory", "a FIFO (named pipe)"). */
export function describeFileType(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** `path`, and where it leads when that is elsewhere (a symbolic link), for errors. */
async function describePath(path: string): Promise<string> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return path;
    return `${path} (a link to ${await realpath(path)})`;
  } catch {
    return path;
  }
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

/** The error for a path that cannot be stat'ed or opened: missing, not allowed, a broken link, ... */
function accessError(path: string, error: unknown, what: string): Error {
  const code = errnoCode(error);
  if (code === 'ENOENT') return new Error(`${path} does not exist (expected ${what}); check the path.`);
  if (code === 'ENOTDIR') {
    return new Error(
      `${path} does not exist: part of the path is not a directory (expected ${what}); check the path.`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new Error(`${path} cannot be read: permission denied (expected ${what}); check its permissions.`);
  }
  if (code === 'ELOOP')
    return new Error(`${path} is a loop of symbolic links (expected ${what}); fix the link.`);
  return new Error(`cannot read ${path} (${code ?? (error as Error).message}); expected ${what}.`);
}

async function notRegularError(path: string, stats: Stats, what: string): Promise<Error> {
  const kind = describeFileType(stats);
  const hint = stats.isDirectory()
    ? 'Point to the file itself, not to a folder'
    : 'Only regular files are read: point to one (copy the data into a file if it comes from a pipe or a device)';
  return new Error(`${await describePath(path)} is ${kind}, not a regular file; expected ${what}. ${hint}.`);
}

/** Options of `readRegularFile`. */
export type ReadRegularFileOptions = ByteLimit;

/**
 * Reads a whole regular file, refusing anything else, with a size limit. See the module comment for what is
 * checked; every error names the path, what it found and what was expected.
 */
export async function readRegularFile(path: string, options: ReadRegularFileOptions): Promise<Uint8Array> {
  const limit = options;
  let before: Stats;
  try {
    before = await stat(path); // follows symbolic links: a link to /dev/zero is a character device
  } catch (error) {
    throw accessError(path, error, options.what);
  }
  if (!before.isFile()) throw await notRegularError(path, before, options.what);
  if (before.size > limit.maxBytes) {
    throw tooLargeError(path, `is ${formatBytes(before.size)},`, limit);
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it must not wait for a writer.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw accessError(path, error, options.what);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw await notRegularError(path, opened, options.what);
    if (opened.size > limit.maxBytes) {
      throw tooLargeError(path, `is ${formatBytes(opened.size)},`, limit);
    }
    // Read at most the size found: a file that grows while it is read is cut at that size, never read on.
    const buffer = new Uint8Array(opened.size);
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    if (offset < buffer.length) {
      throw new Error(
        `${path} shrank while it was read (${formatBytes(offset)} of ${formatBytes(buffer.length)}); ` +
          'another program is writing it. Try again when it is done.',
      );
    }
    return buffer;
  } finally {
    await handle.close();
  }
}

/**
 * Checks that `path` is a directory (following symbolic links), with an error that names it and says what it is
 * otherwise.
 */
export async function checkDirectory(path: string, what: string): Promise<void> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    throw accessError(path, error, what);
  }
  if (!stats.isDirectory()) {
    throw new Error(
      `${await describePath(path)} is ${describeFileType(stats)}, not a directory; expected ${what}. Pass the ` +
        'folder that holds the files.',
    );
  }
}

/**
 * Decompresses a gzip file with zlib, stopping as soon as the output passes `limit.maxBytes` (zlib's
 * `maxOutputLength`): a gzip bomb fails fast, having inflated about the limit. Errors name the file.
 */
export function gunzipFile(bytes: Uint8Array, path: string, limit: ByteLimit): Uint8Array {
  try {
    const out = gunzipSync(bytes, { maxOutputLength: limit.maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    if (errnoCode(error) === 'ERR_BUFFER_TOO_LARGE') throw tooLargeError(path, 'decompresses to', limit);
    throw new Error(
      `${path} is not a valid gzip file (${(error as Error).message}): it is truncated or corrupt. ` +
        'Delete it and try again.',
    );
  }
}

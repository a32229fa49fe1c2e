/**
 * Reading untrusted files in Node: the one place in `@vae/data` that opens a file to read it.
 *
 * `readRegularFile` stats the path (following symbolic links) before opening it, so that a FIFO (which would block
 * forever), a character or block device (`/dev/zero` would never end), a socket or a directory is refused with an
 * error that names the path, says what it is and what was expected; refuses a file over its limit before reading a
 * byte; opens without blocking and checks the opened file again (in case the path changed in between); and never
 * reads more than the size it found. `gunzipFile` decompresses with a maximum output size.
 */

import { gunzipSync } from 'node:zlib';
import { readRegularFile as readFileChecked } from '@vae/core/node';
import { type ByteLimit, formatBytes, tooLargeError } from './limits';

export { checkDirectory, describeFileType } from '@vae/core/node';

/** Options of `readRegularFile`. */
export type ReadRegularFileOptions = ByteLimit;

/**
 * Reads a whole regular file, refusing anything else, with a size limit: `readRegularFile` of `@vae/core/node`
 * (the one owner of these checks), with the data package's wording for a file over its limit.
 */
export function readRegularFile(path: string, options: ReadRegularFileOptions): Promise<Uint8Array> {
  return readFileChecked(path, {
    maxBytes: options.maxBytes,
    what: options.what,
    tooLarge: (size) => tooLargeError(path, `is ${formatBytes(size)},`, options),
  });
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
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

/** Node-only helpers (files). Import from `@vae/core/node`. */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, sep } from 'node:path';

/**
 * Writes a file atomically: the bytes go to a temporary file in the same directory, are flushed to disk, and the
 * file is then renamed over the target, so a crash (or SIGKILL) at any moment leaves the old file or the new one,
 * never a half-written file. The directory entry is flushed too where the platform allows it.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** What a path names when it is not a regular file, in words. */
function kindOf(stats: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

export interface ReadRegularFileOptions {
  /** Refuse files larger than this many bytes (checked before anything is read or allocated). */
  maxBytes: number;
  /** What the file is, for messages, e.g. 'the weights file' or 'the IDX file'. Default 'the file'. */
  what?: string;
  /** How to raise the limit, appended to the size error, e.g. 'pass maxBytes to allow larger files'. */
  override?: string;
}

/** Thrown by `readRegularFile` and `resolveInside`; `code` says what was wrong. */
export class UntrustedFileError extends Error {
  readonly path: string;
  readonly code: 'not-found' | 'not-regular' | 'too-large' | 'outside' | 'bad-path' | 'changed';

  constructor(message: string, path: string, code: UntrustedFileError['code']) {
    super(message);
    this.name = 'UntrustedFileError';
    this.path = path;
    this.code = code;
  }
}

/**
 * Reads a file that may be hostile: it is opened without blocking (a FIFO cannot hang the read), checked through
 * the open handle to be a regular file (a directory, FIFO, device such as `/dev/zero` or socket is refused, also
 * behind a symlink), its size is checked against `maxBytes` before any buffer is allocated, and exactly that many
 * bytes are read (a file that grows while it is read cannot make the read go on). Errors name the path, what
 * was found and what to do.
 */
export async function readRegularFile(path: string, options: ReadRegularFileOptions): Promise<Uint8Array> {
  const what = options.what ?? 'the file';
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UntrustedFileError(`${what} ${path} does not exist.`, path, 'not-found');
    }
    if (code === 'ENXIO' || code === 'EISDIR') {
      throw new UntrustedFileError(
        `${what} ${path} is not a regular file (${code === 'EISDIR' ? 'a directory' : 'a socket or device'}); ` +
          'point it at a regular file.',
        path,
        'not-regular',
      );
    }
    throw new Error(`cannot open ${what} ${path} (${code ?? (error as Error).message}).`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new UntrustedFileError(
        `${what} ${path} is ${kindOf(stats)}, not a regular file; point it at a regular file.`,
        path,
        'not-regular',
      );
    }
    if (stats.size > options.maxBytes) {
      throw new UntrustedFileError(
        `${what} ${path} has ${stats.size.toLocaleString('en-US')} bytes, more than the limit of ` +
          `${options.maxBytes.toLocaleString('en-US')}` +
          (options.override ? `; ${options.override}.` : '; it is not the file expected here.'),
        path,
        'too-large',
      );
    }
    const bytes = new Uint8Array(stats.size);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    if (offset !== bytes.length) {
      throw new UntrustedFileError(
        `${what} ${path} shrank while it was read (${offset} of ${bytes.length} bytes); read it again when ` +
          'nothing else writes it.',
        path,
        'changed',
      );
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/**
 * Resolves `name`, a relative path read from an untrusted file (a manifest, an archive), inside `root`: it must be
 * a relative POSIX path with no `..` segment, no backslash, no NUL and no drive or URL scheme, and after resolving
 * symlinks it must still lie inside `root` (itself resolved). Returns the resolved absolute path. Throws an
 * `UntrustedFileError` that names the entry otherwise. The file need not exist (code 'not-found' then).
 */
export async function resolveInside(root: string, name: unknown, what = 'path'): Promise<string> {
  const shown = JSON.stringify(name);
  const bad = (why: string): never => {
    throw new UntrustedFileError(
      `${what} ${shown} ${why}; a saved file may only name files inside its own folder (${root}).`,
      String(name),
      'bad-path',
    );
  };
  if (typeof name !== 'string' || name.length === 0) bad('is not a non-empty string');
  const text = name as string;
  if (text.length > 1024) bad('is longer than 1024 characters');
  if (text.includes('\0')) bad('contains a NUL character');
  if (text.includes('\\')) bad('contains a backslash');
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text)) bad('is a URL or a drive path');
  if (text.startsWith('/') || isAbsolute(text)) bad('is absolute');
  const normalized = posix.normalize(text);
  if (normalized === '..' || normalized.startsWith('../') || normalized.split('/').includes('..')) {
    bad('leaves the folder');
  }
  const realRoot = await realpath(root);
  const target = join(realRoot, ...normalized.split('/'));
  let real: string;
  try {
    real = await realpath(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UntrustedFileError(`${what} ${shown}: ${target} does not exist.`, target, 'not-found');
    }
    throw error;
  }
  const inside = relative(realRoot, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new UntrustedFileError(
      `${what} ${shown} resolves to ${real}, outside the folder ${realRoot} (through a symlink); ` +
        'copy the file into the folder instead of linking it.',
      real,
      'outside',
    );
  }
  return real;
}

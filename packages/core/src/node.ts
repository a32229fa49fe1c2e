/** Node-only helpers (files). Import from `@vae/core/node`. */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, rm, stat } from 'node:fs/promises';
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

/** Thrown by `readRegularFile`, `checkDirectory` and `resolveInside`; `code` says what was wrong. */
export class UntrustedFileError extends Error {
  readonly path: string;
  readonly code:
    | 'not-found'
    | 'not-regular'
    | 'too-large'
    | 'outside'
    | 'bad-path'
    | 'changed'
    | 'unreadable';

  constructor(message: string, path: string, code: UntrustedFileError['code']) {
    super(message);
    this.name = 'UntrustedFileError';
    this.path = path;
    this.code = code;
  }
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

/** The error for a path that cannot be stat'ed or opened: missing, not allowed, a broken link, ... */
function accessError(path: string, error: unknown, what: string): UntrustedFileError {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') {
    return new UntrustedFileError(
      `${path} does not exist (expected ${what}); check the path.`,
      path,
      'not-found',
    );
  }
  if (code === 'ENOTDIR') {
    return new UntrustedFileError(
      `${path} does not exist: part of the path is not a directory (expected ${what}); check the path.`,
      path,
      'not-found',
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UntrustedFileError(
      `${path} cannot be read: permission denied (expected ${what}); check its permissions.`,
      path,
      'unreadable',
    );
  }
  if (code === 'ELOOP') {
    return new UntrustedFileError(
      `${path} is a loop of symbolic links (expected ${what}); fix the link.`,
      path,
      'unreadable',
    );
  }
  return new UntrustedFileError(
    `cannot read ${path} (${code ?? (error as Error).message}); expected ${what}.`,
    path,
    'unreadable',
  );
}

async function notRegularError(path: string, stats: Stats, what: string): Promise<UntrustedFileError> {
  const hint = stats.isDirectory()
    ? 'Point to the file itself, not to a folder'
    : 'Only regular files are read: point to one (copy the data into a file if it comes from a pipe or a device)';
  return new UntrustedFileError(
    `${await describePath(path)} is ${describeFileType(stats)}, not a regular file; expected ${what}. ${hint}.`,
    path,
    'not-regular',
  );
}

export interface ReadRegularFileOptions {
  /** Refuse files larger than this many bytes (checked before anything is read or allocated). */
  maxBytes: number;
  /** What the file should be, for errors: "expected <what>", e.g. 'the weights file of a saved model'. */
  what: string;
  /**
   * The error for a file over `maxBytes` (e.g. one that names the option that raises the limit). Default: one
   * that gives the size and the limit.
   */
  tooLarge?: (size: number) => Error;
}

/**
 * Reads a whole file that may be hostile. The path is stat'ed first (following symbolic links: a link to
 * /dev/zero is a character device), so a FIFO (which would block forever), a device (which would never end), a
 * socket or a directory is refused with an error that names the path, says what it is and what was expected; a
 * file over `maxBytes` is refused before a byte is read; the file is opened without blocking and checked again
 * through the open handle (in case the path changed in between), and never read past the size found.
 */
export async function readRegularFile(path: string, options: ReadRegularFileOptions): Promise<Uint8Array> {
  const { what, maxBytes } = options;
  const tooLarge = (size: number) =>
    options.tooLarge?.(size) ??
    new UntrustedFileError(
      `${path} is ${size.toLocaleString('en-US')} bytes, more than the limit of ` +
        `${maxBytes.toLocaleString('en-US')} for ${what}; it is not the file expected here.`,
      path,
      'too-large',
    );
  let before: Stats;
  try {
    before = await stat(path);
  } catch (error) {
    throw accessError(path, error, what);
  }
  if (!before.isFile()) throw await notRegularError(path, before, what);
  if (before.size > maxBytes) throw tooLarge(before.size);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it must not wait for a writer.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw accessError(path, error, what);
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw await notRegularError(path, opened, what);
    if (opened.size > maxBytes) throw tooLarge(opened.size);
    // Read at most the size found: a file that grows while it is read is cut at that size, never read on.
    const buffer = new Uint8Array(opened.size);
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    if (offset < buffer.length) {
      throw new UntrustedFileError(
        `${path} shrank while it was read (${offset.toLocaleString('en-US')} of ` +
          `${buffer.length.toLocaleString('en-US')} bytes); another program is writing it. Try again when it is done.`,
        path,
        'changed',
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
    throw new UntrustedFileError(
      `${await describePath(path)} is ${describeFileType(stats)}, not a directory; expected ${what}. Pass the ` +
        'folder that holds the files.',
      path,
      'not-regular',
    );
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

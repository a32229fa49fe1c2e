/**
 * Files on disk: what the CLI may write where, and how it reads the small files it trusts nothing about.
 *
 * The --out policy. The CLI never deletes a file, and never replaces one it did not write unless told to:
 *
 * - A folder --out (train, anomaly, import, export) may be missing, empty, or a folder the same command wrote before:
 *   a `vae train`, `vae anomaly` or `vae import` folder holds the marker `.vae-run.json` naming the command (runs
 *   from before the marker are recognized by their config.json or anomaly.json); an export folder holds only
 *   export's own files (model.json written by @vae/models, weights.bin, metrics.json, codes.json; or, with
 *   `--format pytorch`, model.safetensors and a config.json describing a @vae model), so the demo's folders stay
 *   clean.
 *   Any other non-empty folder is refused (exit code 2) unless --force: then the command writes beside the files
 *   there, replaces those named like its outputs, and removes nothing.
 * - A file --out (sample, reconstruct, embed, manifold, interpolate, traverse, report) may be missing, or a file
 *   the CLI wrote: a PNG with the text chunk `Software: vae ...` (every PNG the CLI writes has it), a CSV or JSON
 *   of `vae embed`, an HTML report of @vae/viz, a safetensors file of @vae/models (`export --format safetensors`). Any other file is refused (exit code 2) unless --force. A folder, a
 *   symbolic link, a FIFO, a device or a socket is refused even with --force.
 * - Every file is written atomically (a temporary file in the same folder, renamed over the target).
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { readRegularFile, writeFileAtomic } from '@vae/core/node';
import { CliError, EXIT } from './errors';

/** The marker a `vae train` or `vae anomaly` folder holds. */
export const RUN_MARKER = '.vae-run.json';

/** The commands whose --out is a folder. */
export type FolderCommand = 'train' | 'anomaly' | 'debias' | 'probe' | 'import' | 'export' | 'recommend';

/** What a file --out holds, to recognize a file the CLI wrote before. */
export type FileKind = 'png' | 'csv' | 'json' | 'html' | 'safetensors';

/** The folders each command writes inside its --out. */
const SUBFOLDERS: Record<FolderCommand, string[]> = {
  train: ['model', 'checkpoint'],
  anomaly: ['model'],
  debias: ['biased', 'debiased'],
  probe: ['model'],
  import: ['model'],
  export: [],
  recommend: ['model'],
};

/** The files `vae export` writes: an export folder holds nothing else. */
const EXPORT_FILES = new Set(['model.json', 'weights.bin', 'metrics.json', 'codes.json']);

/** The files `vae export --format pytorch` writes (a PyTorch folder). */
const PYTORCH_EXPORT_FILES = new Set(['model.safetensors', 'config.json']);

/** Temporary files of the CLI's own (write probes, atomic writes cut short): they do not make a folder foreign. */
const OWN_TEMPORARY = /^\.(vae-write-test-[0-9a-f]{12}|.+\.[0-9a-f]{12}\.partial)$/;

/** The small JSON files the CLI reads (config files, config.json, metrics.json, markers): at most this size. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

const errorCode = (error: unknown) =>
  (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? String(error);

/** A path's kind in words, for messages. */
function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a small file that may be hostile, through @vae/core's readRegularFile (regular files only, so a FIFO or a
 * device never hangs the read; refused over `maxBytes` before anything is read); its errors become one-line
 * CliErrors with `exitCode` (default 1). `what` says what was expected, e.g. "a --config file".
 */
export async function readSmallFile(
  path: string,
  options: { what: string; maxBytes?: number; exitCode?: number },
): Promise<Uint8Array> {
  try {
    return await readRegularFile(path, { what: options.what, maxBytes: options.maxBytes ?? MAX_JSON_BYTES });
  } catch (error) {
    throw new CliError((error as Error).message.split('\n')[0], options.exitCode ?? EXIT.failure);
  }
}

/**
 * The first `count` bytes of a regular file, to recognize it; undefined for anything else (missing, a FIFO, a
 * device: opened without blocking and checked through the handle before a byte is read).
 */
async function readHead(path: string, count: number): Promise<Uint8Array | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    const bytes = new Uint8Array(count);
    const { bytesRead } = await handle.read(bytes, 0, count, 0);
    return bytes.subarray(0, bytesRead);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Reads and parses a small JSON file (see readSmallFile); a one-line CliError otherwise. */
export async function readJsonFile(
  path: string,
  options: { what: string; maxBytes?: number; exitCode?: number },
): Promise<unknown> {
  const text = new TextDecoder().decode(await readSmallFile(path, options));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `${path} is not valid JSON (expected ${options.what}): ${(error as Error).message.split('\n')[0]}`,
      options.exitCode ?? EXIT.failure,
    );
  }
}

/** A small JSON file's contents, or undefined when it is missing, not a regular file, too large or not JSON. */
async function peekJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value = await readJsonFile(path, { what: 'a small JSON file', maxBytes: 1024 * 1024 });
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** True for a model.json written by @vae/models (a saved model, or one written by `vae export`). */
async function isVaeModelJson(path: string): Promise<boolean> {
  const json = await peekJson(path);
  const topology = json?.modelTopology as { format?: unknown } | undefined;
  return json?.generatedBy === '@vae/models' || topology?.format === 'vae-model';
}

/** True when `directory` holds a run of `command` that the CLI wrote (see the policy above). */
export async function isRunOf(directory: string, command: FolderCommand): Promise<boolean> {
  const marker = await peekJson(join(directory, RUN_MARKER));
  if (marker) return marker.command === command;
  if (command === 'train') {
    // runs from before the marker: config.json of `vae train` beside the model or a checkpoint
    const config = await peekJson(join(directory, 'config.json'));
    return (
      config?.command === 'train' &&
      ((await isRegularFile(join(directory, 'model', 'model.json'))) ||
        (await isRegularFile(join(directory, 'checkpoint', 'checkpoint.json'))))
    );
  }
  if (command === 'anomaly') {
    const result = await peekJson(join(directory, 'anomaly.json'));
    return result !== undefined && 'auroc' in result && Array.isArray(result.normalClasses);
  }
  if (command === 'import') return false; // import folders always hold the marker
  const entries = (await readdir(directory)).filter((name) => !OWN_TEMPORARY.test(name));
  if (entries.every((name) => PYTORCH_EXPORT_FILES.has(name))) {
    // a PyTorch folder of `vae export --format pytorch`: config.json describes a @vae model
    const config = await peekJson(join(directory, 'config.json'));
    return config?.format === 'vae-model' && typeof config.className === 'string';
  }
  return (
    entries.every((name) => EXPORT_FILES.has(name)) && (await isVaeModelJson(join(directory, 'model.json')))
  );
}

/** Checks that a file can be created in `directory` (a probe with a fresh name, created exclusively, removed). */
async function probe(directory: string, flag: string, shown: string, what: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true });
    const path = join(directory, `.vae-write-test-${randomBytes(6).toString('hex')}`);
    const handle = await open(path, 'wx');
    await handle.close();
    await rm(path);
  } catch (error) {
    throw new CliError(
      `cannot write ${flag} ${shown} (${errorCode(error)}); choose ${what} you can write to.`,
    );
  }
}

/**
 * Makes `out` ready to be the output folder of `command` before any work: refused with exit code 2 when it is not
 * a folder, or a non-empty folder that is not a run of `command` (unless `force`); exit code 1 when it cannot be
 * written. Writes the marker for train and anomaly. Returns the absolute path.
 */
export async function prepareOutputFolder(
  out: string,
  command: FolderCommand,
  options: { force?: boolean; flag?: string } = {},
): Promise<string> {
  const flag = options.flag ?? '--out';
  if (out.trim() === '') throw new CliError(`${flag} is empty; give a folder, e.g. ${flag} run.`, EXIT.usage);
  const directory = resolve(out);
  let stats: Stats | undefined;
  try {
    stats = await stat(directory);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      throw new CliError(
        `cannot write to ${flag} ${out} (${errorCode(error)}); choose a directory you can write to.`,
      );
    }
  }
  if (stats && !stats.isDirectory()) {
    throw new CliError(
      `${flag} ${out} is ${stats.isFile() ? 'a file' : kindOf(stats)}, not a folder; pick a folder (it is created ` +
        'when missing).',
      EXIT.usage,
    );
  }
  if (stats && !options.force) {
    const entries = (await readdir(directory)).filter((name) => !OWN_TEMPORARY.test(name));
    if (entries.length > 0 && !(await isRunOf(directory, command))) {
      const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', ...' : '');
      throw new CliError(
        `${flag} ${out} already holds files that \`vae ${command}\` did not write (${shown}); pick another ` +
          `folder, or pass --force to write beside them (nothing there is deleted; files named like the ` +
          `outputs are replaced).`,
        EXIT.usage,
      );
    }
  }
  // the folders the command writes into must be real folders: a symbolic link there would send the writes elsewhere
  for (const name of SUBFOLDERS[command]) {
    const inner = await lstat(join(directory, name)).catch(() => undefined);
    if (inner && !inner.isDirectory()) {
      throw new CliError(
        `${flag} ${out} holds ${name} as ${kindOf(inner)}, where \`vae ${command}\` writes a folder; pick another ` +
          'folder.',
        EXIT.usage,
      );
    }
  }
  await probe(directory, flag, out, 'a directory');
  if (command !== 'export') {
    const marker = {
      command,
      note: `written by \`vae ${command}\`: this folder is its output, and \`vae ${command} --out\` may write here again`,
    };
    await writeFileAtomic(join(directory, RUN_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  }
  return directory;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_KEYWORD = 'Software';

/** The PNG with a tEXt chunk `Software: vae <command>` after its header, so that the CLI knows its own files. */
export function tagPng(png: Uint8Array, command: string): Uint8Array {
  const ihdrEnd = 8 + 12 + 13; // signature, then the IHDR chunk: length, type, 13 bytes of data, CRC
  const data = new TextEncoder().encode(`${PNG_KEYWORD}\0vae ${command}`);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(new TextEncoder().encode('tEXt'), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  const tagged = new Uint8Array(png.length + chunk.length);
  tagged.set(png.subarray(0, ihdrEnd));
  tagged.set(chunk, ihdrEnd);
  tagged.set(png.subarray(ihdrEnd), ihdrEnd + chunk.length);
  return tagged;
}

/** True when the bytes start like a PNG written by the CLI (tagPng). */
function isVaePng(head: Uint8Array): boolean {
  if (head.length < 8 || PNG_SIGNATURE.some((b, i) => head[i] !== b)) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const decoder = new TextDecoder('latin1');
  for (let offset = 8; offset + 8 <= head.length; ) {
    const length = view.getUint32(offset);
    const type = decoder.decode(head.subarray(offset + 4, offset + 8));
    if (type === 'IDAT' || type === 'IEND') return false;
    if (type === 'tEXt' && offset + 8 + length <= head.length) {
      const text = decoder.decode(head.subarray(offset + 8, offset + 8 + length));
      if (text.startsWith(`${PNG_KEYWORD}\0vae`)) return true;
    }
    offset += 12 + length;
  }
  return false;
}

/** True when the file at `path` (a regular file) is one the CLI wrote, judged by its first bytes. */
async function wroteItself(path: string, kind: FileKind): Promise<boolean> {
  const head = await readHead(path, 8192);
  if (!head) return false;
  const text = () => new TextDecoder().decode(head);
  if (kind === 'png') return isVaePng(head);
  if (kind === 'csv') return /^index,label,z0(,z\d+)*\r?\n/.test(text());
  if (kind === 'json')
    return /^\{"latentDim":\d+,"examples":\d+,"probabilistic":(true|false),"records":\[/.test(text());
  if (kind === 'safetensors') {
    // @vae/models writes its metadata first: {"__metadata__":{"format":"pt","vae.format":"vae-model",...
    return /^\{"__metadata__":\{[^}]*"vae\.format":"vae-model"/.test(
      new TextDecoder().decode(head.subarray(8)),
    );
  }
  return /^<!DOCTYPE html>[\s\S]*<meta name="generator" content="@vae\/viz">/.test(text());
}

/** What a file output's kind is called in messages. */
const KIND_NAMES: Record<FileKind, string> = {
  png: 'a PNG written by vae',
  csv: 'a CSV written by `vae embed`',
  json: 'a JSON file written by `vae embed`',
  html: 'a report written by vae',
  safetensors: 'a safetensors file written by @vae/models',
};

/** The checks of a file --out that do not write: refused with exit code 2 (see the policy above). */
async function checkOutputFile(
  full: string,
  shown: string,
  kind: FileKind,
  options: { force?: boolean; flag?: string },
): Promise<void> {
  const flag = options.flag ?? '--out';
  let stats: Stats;
  try {
    stats = await lstat(full);
  } catch {
    return; // missing (or unreachable: the probe says why)
  }
  if (stats.isDirectory()) {
    throw new CliError(
      `${flag} ${shown} is a folder; give a file name, e.g. ${join(shown, kind === 'html' ? 'report.html' : `out.${kind}`)}.`,
      EXIT.usage,
    );
  }
  if (!stats.isFile()) {
    throw new CliError(
      `${flag} ${shown} is ${kindOf(stats)}; vae only replaces regular files, so give another file name.`,
      EXIT.usage,
    );
  }
  if (!options.force && !(await wroteItself(full, kind))) {
    throw new CliError(
      `${flag} ${shown} exists and is not ${KIND_NAMES[kind]}; pick another file name, or pass --force to ` +
        'replace it.',
      EXIT.usage,
    );
  }
}

/**
 * Makes sure a file --out may be written before doing any work: the policy's checks (exit code 2), then that its
 * folder can be written (exit code 1). Returns the absolute path.
 */
export async function prepareOutputFile(
  path: string,
  kind: FileKind,
  options: { force?: boolean; flag?: string } = {},
): Promise<string> {
  const flag = options.flag ?? '--out';
  if (path.trim() === '') throw new CliError(`${flag} is empty; give a file name.`, EXIT.usage);
  const full = resolve(path);
  await checkOutputFile(full, path, kind, options);
  await probe(dirname(full), options.flag ?? '--out', path, 'a path');
  return full;
}

/** Writes a file --out atomically, after the policy's checks again (the file may have appeared meanwhile). */
export async function writeOutputFile(
  full: string,
  contents: string | Uint8Array,
  kind: FileKind,
  options: { force?: boolean; flag?: string } = {},
): Promise<void> {
  await checkOutputFile(full, full, kind, options);
  await writeFileAtomic(full, contents);
}

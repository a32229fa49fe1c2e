import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Image } from './image';
import { writePng } from './node';
import { decodePng } from './png';

describe('writePng', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vae-viz-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a PNG file that decodes back to the image, creating directories', async () => {
    const image: Image = { width: 2, height: 2, channels: 3, data: new Uint8Array([...Array(12).keys()]) };
    const path = join(dir, 'nested', 'grid.png');
    await writePng(path, image);
    expect(decodePng(new Uint8Array(await readFile(path)))).toEqual(image);
    expect(await readdir(join(dir, 'nested'))).toEqual(['grid.png']); // no temporary files left behind
  });

  it('rejects a bad image before touching the disk', async () => {
    const path = join(dir, 'bad.png');
    await expect(
      writePng(path, { width: 2, height: 2, channels: 1, data: new Uint8Array(3) }),
    ).rejects.toThrow(/3 bytes/);
    expect(await readdir(dir)).toEqual([]);
  });
});

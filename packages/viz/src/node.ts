/** Node-only helpers (files). Import from `@vae/viz/node`. */
import { writeFileAtomic } from '@vae/core/node';
import type { Image } from './image';
import { encodePng } from './png';

/**
 * Encodes an image as PNG and writes it to `path` atomically (a temporary file renamed over the target), creating
 * missing directories.
 */
export async function writePng(path: string, image: Image): Promise<void> {
  await writeFileAtomic(path, encodePng(image));
}

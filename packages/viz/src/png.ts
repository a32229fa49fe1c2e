/** PNG encoding and decoding of {@link Image}s through fast-png (pure JavaScript, browser and Node). */
import { convertIndexedToRgb, decode, encode, hasPngSignature } from 'fast-png';
import { checkImage, type Image } from './image';

/** Encodes an 8-bit grey, RGB or RGBA image as a PNG file. */
export function encodePng(image: Image): Uint8Array {
  checkImage(image, 'encodePng');
  const { width, height, channels, data } = image;
  return encode({ width, height, channels, depth: 8, data });
}

/** Widens packed 1-, 2- or 4-bit grey samples (rows padded to whole bytes) to bytes, scaled to 0..255. */
function unpackGrey(packed: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      const sample = (byte >> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = Math.round((sample * 255) / max);
    }
  }
  return out;
}

/**
 * Decodes a PNG file into an 8-bit {@link Image}. Grey and RGB(A) files come back with their channels;
 * palette files become RGB (RGBA with transparency), grey + alpha becomes RGBA, and 16-bit or sub-byte samples
 * are scaled to bytes.
 */
export function decodePng(bytes: Uint8Array): Image {
  if (!(bytes instanceof Uint8Array) || !hasPngSignature(bytes)) {
    throw new Error(
      'decodePng: the bytes are not a PNG file (no PNG signature); pass the contents of a .png file.',
    );
  }
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (error) {
    throw new Error(`decodePng: the PNG file is corrupt or unsupported: ${(error as Error).message}`);
  }
  const { width, height, depth } = png;
  let channels = png.channels;
  let samples: ArrayLike<number> = png.data;
  if (png.palette) {
    samples = convertIndexedToRgb(png);
    channels = samples.length / (width * height);
  } else if (depth === 16) {
    const wide = png.data;
    const narrow = new Uint8Array(wide.length);
    for (let i = 0; i < wide.length; i++) narrow[i] = Math.round(wide[i] / 257);
    samples = narrow;
  } else if (depth < 8) {
    samples = unpackGrey(png.data, width, height, depth);
  }
  if (channels === 2) {
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = samples[2 * i];
      rgba[4 * i + 3] = samples[2 * i + 1];
    }
    samples = rgba;
    channels = 4;
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new Error(`decodePng: unsupported PNG with ${channels} channels.`);
  }
  const data = samples instanceof Uint8Array ? samples : Uint8Array.from(samples);
  return { width, height, channels, data };
}

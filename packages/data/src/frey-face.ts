/**
 * Frey Face (Brendan Frey): 1965 greyscale frames of one face, 28 rows x 20 columns, the data set Kingma & Welling
 * (2014) used for Gaussian decoders. Two file layouts: Sam Roweis' `frey_rawface.mat` (variable `ff`, uint8
 * 560 x 1965, one image per column) and an IDX file (1965 x 28 x 20 bytes).
 */
import { parseIdx } from './idx';
import { ImageDataset } from './image-dataset';
import { type MatArray, parseMatLimited } from './mat';

export const FREY_FACE_COUNT = 1965;
export const FREY_FACE_HEIGHT = 28;
export const FREY_FACE_WIDTH = 20;
const PIXELS = FREY_FACE_HEIGHT * FREY_FACE_WIDTH;
/** The most a Frey Face .mat's compressed elements may inflate to: its pixels as complex doubles, and more. */
const MAT_MAX_INFLATED_BYTES = 32 * 1024 ** 2;

function toBytes(array: MatArray, file: string): Uint8Array {
  if (array.values instanceof Uint8Array) return array.values;
  const out = new Uint8Array(array.values.length);
  for (let i = 0; i < out.length; i++) {
    const v = array.values[i];
    if (!(Number.isInteger(v) && v >= 0 && v <= 255)) {
      throw new Error(
        `${file}: variable '${array.name}' holds ${v} at element ${i}; expected grey levels 0-255 as in the ` +
          'original frey_rawface.mat.',
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * The pixels (image-major: 1965 x 28 x 20 bytes) of a Frey Face .mat file: variable `ff` (or the only numeric
 * matrix) of 560 x N pixels, one image per column, as in the original; an N x 560 matrix is accepted too.
 */
export function freyFaceFromMat(
  bytes: Uint8Array,
  file = 'frey_rawface.mat',
): { pixels: Uint8Array; count: number } {
  const arrays = parseMatLimited(bytes, file, {
    maxBytes: MAT_MAX_INFLATED_BYTES,
    what: 'a Frey Face .mat',
    basis: '1965 frames of 28 x 20 pixels, even as complex doubles',
    fix: "it is not Sam Roweis' frey_rawface.mat, or it is a decompression bomb. Check the file, or delete it and download it again.",
  });
  const candidates = arrays.filter((a) => a.dims.length === 2 && a.dims.includes(PIXELS));
  const array = arrays.find((a) => a.name === 'ff') ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (!array) {
    throw new Error(
      `${file} has no variable 'ff' of 560 x N pixels (found: ${
        arrays.map((a) => `${a.name} [${a.dims}]`).join(', ') || 'no numeric arrays'
      }). Expected Sam Roweis' frey_rawface.mat.`,
    );
  }
  const [rows, columns] = array.dims;
  if (array.dims.length !== 2 || (rows !== PIXELS && columns !== PIXELS)) {
    throw new Error(
      `${file}: variable '${array.name}' is [${array.dims}], expected [560, N] (28 x 20 pixels per column).`,
    );
  }
  const values = toBytes(array, file);
  if (rows === PIXELS) return { pixels: values, count: columns };
  // N x 560, column-major: transpose to image-major.
  const pixels = new Uint8Array(values.length);
  for (let image = 0; image < rows; image++) {
    for (let p = 0; p < PIXELS; p++) pixels[image * PIXELS + p] = values[p * rows + image];
  }
  return { pixels, count: rows };
}

/** The pixels of a Frey Face IDX file (uncompressed; dims N x 28 x 20). */
export function freyFaceFromIdx(
  bytes: Uint8Array,
  file = 'frey-faces-idx3-ubyte',
): { pixels: Uint8Array; count: number } {
  const idx = parseIdx(bytes, file);
  const [count, height, width] = idx.shape;
  if (idx.shape.length !== 3 || height !== FREY_FACE_HEIGHT || width !== FREY_FACE_WIDTH) {
    throw new Error(`${file} holds [${idx.shape}], expected [N, 28, 20] Frey Face images.`);
  }
  return { pixels: idx.data, count };
}

/** An `ImageDataset` of [28, 20, 1] images from Frey Face pixels (no labels). */
export function freyFaceDataset(pixels: Uint8Array, options: { name?: string } = {}): ImageDataset {
  return new ImageDataset({
    images: pixels,
    shape: [pixels.length / PIXELS, FREY_FACE_HEIGHT, FREY_FACE_WIDTH, 1],
    name: options.name ?? 'frey-face',
  });
}

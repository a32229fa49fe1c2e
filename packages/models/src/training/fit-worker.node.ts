/** The entry of a data-parallel training worker in Node (worker_threads): serves one replica of the model. */
import { parentPort } from 'node:worker_threads';
// Every network kind (convolutional trunks and saved tfjs Layers networks need tfjs-layers).
import '../layers';
import type { ToReplica } from './parallel';
import { rebuildFromRegistry } from './rebuild';
import { serveReplica } from './replica';

if (!parentPort) throw new Error('fit-worker.node.js runs as a worker thread started by fit({ workers }).');
const port = parentPort;
serveReplica(
  {
    post: (message, transfer = []) => port.postMessage(message, transfer),
    onMessage: (handler) => port.on('message', (message: ToReplica) => handler(message)),
  },
  (specifier) => import(specifier),
  rebuildFromRegistry,
);

/**
 * The stable binary cross-entropy from logits, per row, as one registered kernel on the wasm and cpu backends:
 * one pass over [batch, n] targets x and logits l gives the row sums of `max(l, 0) - l x + log1p(exp(-|l|))` and
 * the gradient with respect to the logits, `sigmoid(l) - x`, which the backward pass then only scales. tfjs's
 * ops take nine element-wise kernels for the forward pass and two more for that gradient, and on wasm its exp and
 * log1p are scalar: this is what makes the loss pay (about 3 ms of a ref-vae step on wasm). Other backends keep
 * tfjs's ops (losses.ts). On wasm the kernel is WebAssembly SIMD assembled from bce.wat (see there for the
 * polynomials; both outputs agree with the exact values to float32 rounding); on cpu a double-precision loop.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type CpuBackendLike,
  cpuValues,
  fusedKernelAvailable,
  heapOffset,
  heapView,
  simdExport,
  type WasmBackendLike,
} from './kernel-support';

/** Name of the fused kernel (registered for the 'cpu' and 'wasm' backends): inputs x, logits; outputs rows, g. */
export const BCE_WITH_LOGITS_KERNEL = 'VaeBceWithLogitsRows';

/** Row sums of the stable BCE into rows, and sigmoid(l) - x into g, in double precision (rounded once). */
function bceLoop(
  x: Float32Array,
  l: Float32Array,
  rows: Float32Array,
  g: Float32Array,
  batch: number,
  n: number,
): void {
  for (let r = 0; r < batch; r++) {
    let sum = 0;
    for (let i = r * n; i < (r + 1) * n; i++) {
      const li = l[i];
      const xi = x[i];
      const e = Math.exp(-Math.abs(li));
      sum += Math.max(li, 0) - li * xi + Math.log1p(e);
      g[i] = (li >= 0 ? 1 / (1 + e) : e / (1 + e)) - xi;
    }
    rows[r] = sum;
  }
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown };
const input = (inputs: tf.NamedTensorInfoMap, name: string) => inputs[name] as tf.TensorInfo;

function cpuKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const b = backend as CpuBackendLike;
  const [batch, n] = input(inputs, 'logits').shape;
  const rows = new Float32Array(batch);
  const g = new Float32Array(batch * n);
  bceLoop(cpuValues(b, input(inputs, 'x')), cpuValues(b, input(inputs, 'logits')), rows, g, batch, n);
  return [b.makeTensorInfo([batch], 'float32', rows), b.makeTensorInfo([batch, n], 'float32', g)];
}

/** bce.wat assembled (wat2wasm 1.0.32). */
const BCE_WASM =
  'AGFzbQEAAAABCgFgBn9/f39/fwACDwEDZW52Bm1lbW9yeQIAAAMCAQAHBwEDYmNlAAAK5RMB4hMCBX9Ne0MAAAAA/RMhQ0MAAK7C/RMhREM7qrg//RMhRUMAgDE//RMhRkODgF65/RMhR0NnaVA5/RMhSEPOQ7c6/RMhSUMIiQg8/RMhSkPBqSo9/RMhS0Oqqio+/RMhTEMAAAA//RMhTUMAAIA//RMhTkOSvJwi/RMhT0MAAABA/RMhUEOJiIg9/RMhUUPZiZ09/RMhUkOMLro9/RMhU0M5juM9/RMhVEMlSRI+/RMhVUPNzEw+/RMhVkOrqqo+/RMhVwJAA0AgBiAETw0BIAYgBWxBAnQhByAHIAVBcHFBAnRqIQggByAFQXxxQQJ0aiEJIAcgBUECdGohCiBDIQsCQANAIAcgCE8NASABIAdq/QAEACETIAAgB2r9AAQAIRQgASAHav0ABBAhHiAAIAdq/QAEECEfIAEgB2r9AAQgISkgACAHav0ABCAhKiABIAdq/QAEMCE0IAAgB2r9AAQwITUgE/3gAf3hASBE/esBIQwgDCBF/eYB/WohDSAMIA0gRv3mAf3lASANIEf95gH95QEhDiBIIA795gEgSf3kASEPIA8gDv3mASBK/eQBIQ8gDyAO/eYBIEv95AEhDyAPIA795gEgTP3kASEPIA8gDv3mASBN/eQBIQ8gDyAOIA795gH95gEgDv3kASBO/eQBIQ8gDyAN/fgBQf8A/RH9rgFBF/2rAf3mASEQIBAgT/3rASEPIA8gDyBQ/eQB/ecBIREgESAR/eYBIRIgUSAS/eYBIFL95AEhDyAPIBL95gEgU/3kASEPIA8gEv3mASBU/eQBIQ8gDyAS/eYBIFX95AEhDyAPIBL95gEgVv3kASEPIA8gEv3mASBX/eQBIQ8gDyAS/eYBIE795AEhDyATIEP96wEgEyAU/eYB/eUBIBEgD/3mASBQ/eYB/eQBIRUgTiAQIE795AH95wEhDiAOIBAgDv3mASATIEP9Rv1SIBT95QEhFiAe/eAB/eEBIET96wEhFyAXIEX95gH9aiEYIBcgGCBG/eYB/eUBIBggR/3mAf3lASEZIEggGf3mASBJ/eQBIRogGiAZ/eYBIEr95AEhGiAaIBn95gEgS/3kASEaIBogGf3mASBM/eQBIRogGiAZ/eYBIE395AEhGiAaIBkgGf3mAf3mASAZ/eQBIE795AEhGiAaIBj9+AFB/wD9Ef2uAUEX/asB/eYBIRsgGyBP/esBIRogGiAaIFD95AH95wEhHCAcIBz95gEhHSBRIB395gEgUv3kASEaIBogHf3mASBT/eQBIRogGiAd/eYBIFT95AEhGiAaIB395gEgVf3kASEaIBogHf3mASBW/eQBIRogGiAd/eYBIFf95AEhGiAaIB395gEgTv3kASEaIB4gQ/3rASAeIB/95gH95QEgHCAa/eYBIFD95gH95AEhICBOIBsgTv3kAf3nASEZIBkgGyAZ/eYBIB4gQ/1G/VIgH/3lASEhICn94AH94QEgRP3rASEiICIgRf3mAf1qISMgIiAjIEb95gH95QEgIyBH/eYB/eUBISQgSCAk/eYBIEn95AEhJSAlICT95gEgSv3kASElICUgJP3mASBL/eQBISUgJSAk/eYBIEz95AEhJSAlICT95gEgTf3kASElICUgJCAk/eYB/eYBICT95AEgTv3kASElICUgI/34AUH/AP0R/a4BQRf9qwH95gEhJiAmIE/96wEhJSAlICUgUP3kAf3nASEnICcgJ/3mASEoIFEgKP3mASBS/eQBISUgJSAo/eYBIFP95AEhJSAlICj95gEgVP3kASElICUgKP3mASBV/eQBISUgJSAo/eYBIFb95AEhJSAlICj95gEgV/3kASElICUgKP3mASBO/eQBISUgKSBD/esBICkgKv3mAf3lASAnICX95gEgUP3mAf3kASErIE4gJiBO/eQB/ecBISQgJCAmICT95gEgKSBD/Ub9UiAq/eUBISwgNP3gAf3hASBE/esBIS0gLSBF/eYB/WohLiAtIC4gRv3mAf3lASAuIEf95gH95QEhLyBIIC/95gEgSf3kASEwIDAgL/3mASBK/eQBITAgMCAv/eYBIEv95AEhMCAwIC/95gEgTP3kASEwIDAgL/3mASBN/eQBITAgMCAvIC/95gH95gEgL/3kASBO/eQBITAgMCAu/fgBQf8A/RH9rgFBF/2rAf3mASExIDEgT/3rASEwIDAgMCBQ/eQB/ecBITIgMiAy/eYBITMgUSAz/eYBIFL95AEhMCAwIDP95gEgU/3kASEwIDAgM/3mASBU/eQBITAgMCAz/eYBIFX95AEhMCAwIDP95gEgVv3kASEwIDAgM/3mASBX/eQBITAgMCAz/eYBIE795AEhMCA0IEP96wEgNCA1/eYB/eUBIDIgMP3mASBQ/eYB/eQBITYgTiAxIE795AH95wEhLyAvIDEgL/3mASA0IEP9Rv1SIDX95QEhNyALIBX95AEhCyADBEAgAyAHaiAW/QsEAAsgCyAg/eQBIQsgAwRAIAMgB2ogIf0LBBALIAsgK/3kASELIAMEQCADIAdqICz9CwQgCyALIDb95AEhCyADBEAgAyAHaiA3/QsEMAsgB0HAAGohBwwACwsCQANAIAcgCk8NASAHIAlJBEAgASAHav0ABAAhPyAAIAdq/QAEACFABSABIAdq/VwCACE/IAAgB2r9XAIAIUALID/94AH94QEgRP3rASE4IDggRf3mAf1qITkgOCA5IEb95gH95QEgOSBH/eYB/eUBITogSCA6/eYBIEn95AEhOyA7IDr95gEgSv3kASE7IDsgOv3mASBL/eQBITsgOyA6/eYBIEz95AEhOyA7IDr95gEgTf3kASE7IDsgOiA6/eYB/eYBIDr95AEgTv3kASE7IDsgOf34AUH/AP0R/a4BQRf9qwH95gEhPCA8IE/96wEhOyA7IDsgUP3kAf3nASE9ID0gPf3mASE+IFEgPv3mASBS/eQBITsgOyA+/eYBIFP95AEhOyA7ID795gEgVP3kASE7IDsgPv3mASBV/eQBITsgOyA+/eYBIFb95AEhOyA7ID795gEgV/3kASE7IDsgPv3mASBO/eQBITsgPyBD/esBID8gQP3mAf3lASA9IDv95gEgUP3mAf3kASFBIE4gPCBO/eQB/ecBITogOiA8IDr95gEgPyBD/Ub9UiBA/eUBIUIgByAJSQRAIAsgQf3kASELIAMEQCADIAdqIEL9CwQACyAHQRBqIQcFIAsgQf0M/////wAAAAAAAAAAAAAAAP1O/eQBIQsgAwRAIAMgB2ogQv0fADgCAAsgB0EEaiEHCwwACwsgAiAGQQJ0aiAL/R8AIAv9HwGSIAv9HwIgC/0fA5KSOAIAIAZBAWohBgwACwsL';

type BceExport = (x: number, l: number, rows: number, g: number, batch: number, n: number) => void;

function wasmKernel({ inputs, backend }: KernelArgs): tf.TensorInfo[] {
  const b = backend as WasmBackendLike;
  const [batch, n] = input(inputs, 'logits').shape;
  const rows = b.makeOutput([batch], 'float32');
  const g = b.makeOutput([batch, n], 'float32');
  if (batch === 0) return [rows, g];
  if (n === 0) {
    heapView(b, rows).fill(0);
    return [rows, g];
  }
  const simd = simdExport<BceExport>(b, BCE_WASM, 'bce');
  if (simd) {
    const [x, l] = ['x', 'logits'].map((name) => heapOffset(b, input(inputs, name)));
    simd(x, l, heapOffset(b, rows), heapOffset(b, g), batch, n);
  } else {
    const [x, l] = ['x', 'logits'].map((name) => heapView(b, input(inputs, name)));
    bceLoop(x, l, heapView(b, rows), heapView(b, g), batch, n);
  }
  return [rows, g];
}

/** Whether the current backend runs the fused kernel (else the loss runs as tfjs ops). */
export function fusedBceAvailable(): boolean {
  return fusedKernelAvailable(BCE_WITH_LOGITS_KERNEL, {
    cpu: cpuKernel as tf.KernelFunc,
    wasm: wasmKernel as tf.KernelFunc,
  });
}

/**
 * [batch, n] float32 targets and logits -> [row sums of the stable BCE [batch], sigmoid(logits) - x [batch, n]],
 * through the fused kernel. Call only where `fusedBceAvailable()`. Not differentiable by itself (losses.ts
 * wraps it in a custom gradient).
 */
export function fusedBceRows(x: tf.Tensor2D, logits: tf.Tensor2D): [tf.Tensor1D, tf.Tensor2D] {
  return tf.engine().runKernel(BCE_WITH_LOGITS_KERNEL, { x, logits }) as unknown as [
    tf.Tensor1D,
    tf.Tensor2D,
  ];
}

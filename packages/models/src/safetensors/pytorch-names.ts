/**
 * The names and layouts a PyTorch `state_dict` of the same architecture has for each variable of a model (what
 * python/vae_torch builds from the same config):
 *
 * - names: `encoder/hidden0/kernel` -> `encoder.hidden.0.weight`, `encoder/conv1/bias` -> `encoder.conv.1.bias`,
 *   `decoder/deconv0/kernel` -> `decoder.deconv.0.weight`, `decoder/logVar/kernel` -> `decoder.log_var.weight`,
 *   `preprocess/mean` -> `preprocess.mean` (numbered layers become `nn.ModuleList` indices, camelCase snake_case,
 *   kernels weights);
 * - dense kernels [in, out] become `nn.Linear` weights [out, in]; convolution kernels [kH, kW, in, out] become
 *   `nn.Conv2d` weights [out, in, kH, kW] (OIHW); transposed-convolution kernels [kH, kW, out, in] become
 *   `nn.ConvTranspose2d` weights [in, out, kH, kW]; biases and buffers stay as they are, and so do the 2-D
 *   variables that are not kernels (tables of rows: a VQ-VAE's codebook, a mixture prior's means and log-variances,
 *   a code prior's logits, the VampPrior's pseudo-inputs, whose values are reordered as an image's);
 * - images are channels-last here and channels-first (NCHW) in PyTorch, so wherever a dense layer meets an image
 *   (the encoder's first dense layer after the input or the convolutions, the decoder's output heads, the projection
 *   before the transposed convolutions, the linear autoencoder's mean) the values along that axis are reordered
 *   from (height, width, channel) to (channel, height, width). PyTorch then flattens and unflattens as usual
 *   (`x.flatten(1)`, `h.view(batch, channels, height, width)`).
 */
import type { ModelConfig } from '../base/config';
import type { SavableModel } from '../registry';

/** How one variable is stored in a PyTorch state_dict. */
export interface PytorchTensorLayout {
  /** The model's variable name, e.g. `encoder/hidden0/kernel`. */
  variable: string;
  /** The state_dict key, e.g. `encoder.hidden.0.weight`. */
  name: string;
  /** Shape of the variable here. */
  variableShape: number[];
  /** Shape in PyTorch. */
  shape: number[];
  /** 'table': a 2-D variable that is not a kernel (rows of a codebook, prior, ...), kept as it is. */
  kind: 'dense-kernel' | 'conv-kernel' | 'vector' | 'table';
  /**
   * Reorders the first `order.length` input rows of a dense kernel: PyTorch's input i takes our row order[i].
   * Absent: no reordering.
   */
  inputOrder?: Int32Array;
  /**
   * Reorders the output units (kernel columns, bias entries, a buffer; the columns of every row of a table):
   * PyTorch's unit j is our order[j].
   */
  outputOrder?: Int32Array;
}

/** The state_dict key of a variable name: see the module comment. */
export function pytorchName(variable: string): string {
  return variable
    .split('/')
    .map((part) => {
      const numbered = /^(hidden|conv|deconv)(\d+)$/.exec(part);
      if (numbered) return `${numbered[1]}.${numbered[2]}`;
      if (part === 'kernel') return 'weight';
      return part.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    })
    .join('.');
}

/**
 * For an image of shape [height, width, channels], the channels-last index of each channels-first position:
 * `order[c * H * W + y * W + x] = (y * W + x) * C + c`. Null when both orders agree (one channel, or not an image).
 */
export function channelsFirstOrder(shape: readonly number[]): Int32Array | null {
  if (shape.length !== 3 || shape[2] === 1) return null;
  const [height, width, channels] = shape;
  const order = new Int32Array(height * width * channels);
  let t = 0;
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < height * width; p++) order[t++] = p * channels + c;
  }
  return order;
}

/** Why a model has no PyTorch layout, or null when it has one. */
export function pytorchUnsupported(model: SavableModel): string | null {
  const config = model.config as Partial<ModelConfig>;
  if (config.layers?.encoder || config.layers?.decoder) {
    return (
      `the ${model.className} has a user-supplied tfjs Layers network (config.layers), which has no PyTorch ` +
      'counterpart in python/vae_torch; only the built-in mlp and conv networks are exchanged'
    );
  }
  return null;
}

/**
 * The PyTorch layout of every variable of a model, in the model's order. Throws for a model with a user-supplied
 * tfjs Layers network (no PyTorch counterpart).
 */
export function pytorchLayout(model: SavableModel): PytorchTensorLayout[] {
  const unsupported = pytorchUnsupported(model);
  if (unsupported) throw new Error(`${unsupported}.`);
  const config = model.config as ModelConfig;
  const variables = Object.entries(model.variables);
  const names = new Set(variables.map(([name]) => name));
  const factor = 2 ** config.filters.length;
  const imageOrder = channelsFirstOrder(config.inputShape);
  // What the encoder's first dense layer reads: the input, or the last convolution's feature map.
  const featureOrder =
    config.network === 'conv'
      ? channelsFirstOrder([
          config.inputShape[0] / factor,
          config.inputShape[1] / factor,
          config.filters[config.filters.length - 1],
        ])
      : imageOrder;
  const firstEncoderLayer = names.has('encoder/hidden0/kernel')
    ? 'encoder/hidden0'
    : variables
        .map(([name]) => /^(encoder\/[^/]+)\/kernel$/.exec(name)?.[1])
        .find((layer) => layer !== undefined && !/^encoder\/conv\d+$/.test(layer));
  const outputOrderOf = (layer: string): Int32Array | undefined => {
    if (layer === 'preprocess') return imageOrder ?? undefined;
    if (!layer.startsWith('decoder/') || /^decoder\/(hidden|deconv)\d+$/.test(layer)) return undefined;
    if (layer === 'decoder/project') {
      const [height, width] = config.inputShape;
      return (
        channelsFirstOrder([height / factor, width / factor, config.filters[config.filters.length - 1]]) ??
        undefined
      );
    }
    return imageOrder ?? undefined; // an output head (logits, mean, logVar, output)
  };
  return variables.map(([variable, value]) => {
    const layer = variable.slice(0, variable.lastIndexOf('/'));
    const shape = [...value.shape];
    const outputOrder = outputOrderOf(layer);
    const base = { variable, name: pytorchName(variable), variableShape: shape };
    if (shape.length === 4) {
      return { ...base, kind: 'conv-kernel', shape: [shape[3], shape[2], shape[0], shape[1]] };
    }
    if (shape.length === 2 && !variable.endsWith('/kernel')) {
      const order = variable === 'prior/pseudoInputs' ? (imageOrder ?? undefined) : undefined;
      return { ...base, kind: 'table', shape, outputOrder: order };
    }
    if (shape.length === 2) {
      const inputOrder = layer === firstEncoderLayer ? (featureOrder ?? undefined) : undefined;
      return { ...base, kind: 'dense-kernel', shape: [shape[1], shape[0]], inputOrder, outputOrder };
    }
    return { ...base, kind: 'vector', shape, outputOrder };
  });
}

/** Our values of one variable (row-major, our layout) in PyTorch's layout. */
export function toPytorchValues(layout: PytorchTensorLayout, values: Float32Array): Float32Array {
  return transform(layout, values, true);
}

/** PyTorch's values of one state_dict entry (row-major) in our layout. */
export function fromPytorchValues(layout: PytorchTensorLayout, values: Float32Array): Float32Array {
  return transform(layout, values, false);
}

function transform(layout: PytorchTensorLayout, values: Float32Array, toPytorch: boolean): Float32Array {
  const out = new Float32Array(values.length);
  const shape = layout.variableShape;
  if (layout.kind === 'conv-kernel') {
    // ours [kH, kW, a, b] <-> PyTorch [b, a, kH, kW]
    const [kh, kw, a, b] = shape;
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        for (let p = 0; p < a; p++) {
          for (let q = 0; q < b; q++) {
            const ours = ((y * kw + x) * a + p) * b + q;
            const theirs = ((q * a + p) * kh + y) * kw + x;
            if (toPytorch) out[theirs] = values[ours];
            else out[ours] = values[theirs];
          }
        }
      }
    }
    return out;
  }
  const outputOrder = layout.outputOrder;
  if (layout.kind === 'vector' || layout.kind === 'table') {
    // a vector, or each row of a table: the last axis reordered
    const width = shape.length === 2 ? shape[1] : values.length;
    for (let row = 0; row < values.length; row += width) {
      for (let j = 0; j < width; j++) {
        const ours = row + (outputOrder ? outputOrder[j] : j);
        if (toPytorch) out[row + j] = values[ours];
        else out[ours] = values[row + j];
      }
    }
    return out;
  }
  // dense: ours [in, units] <-> PyTorch [units, in]
  const [inputs, units] = shape;
  const inputOrder = layout.inputOrder;
  for (let j = 0; j < units; j++) {
    const column = outputOrder ? outputOrder[j] : j;
    for (let i = 0; i < inputs; i++) {
      const row = inputOrder && i < inputOrder.length ? inputOrder[i] : i;
      const ours = row * units + column;
      const theirs = j * inputs + i;
      if (toPytorch) out[theirs] = values[ours];
      else out[ours] = values[theirs];
    }
  }
  return out;
}

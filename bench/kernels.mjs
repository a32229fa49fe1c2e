// For bench scripts: the kernels of a tf.profile result per kernel type, most time first.
//
//   const { total, rows } = kernelsByType(await tf.profile(() => work()));
//   for (const [name, { count, ms }] of rows) console.log(name, count / steps, ms / steps);

/** `info`: what tf.profile resolves to. total: kernel ms in all; rows: [name, { count, ms }], most ms first. */
export function kernelsByType(info) {
  const perKernel = new Map();
  for (const k of info.kernels) {
    const e = perKernel.get(k.name) ?? { count: 0, ms: 0 };
    e.count += 1;
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    perKernel.set(k.name, e);
  }
  const total = [...perKernel.values()].reduce((s, e) => s + e.ms, 0);
  return { total, rows: [...perKernel].sort((a, b) => b[1].ms - a[1].ms) };
}

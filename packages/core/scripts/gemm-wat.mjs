#!/usr/bin/env node
/**
 * Writes src/gemm.wat: float32 matrix products in WebAssembly SIMD (f32x4) that read both operands where they lie,
 * with no packing, for the dense layers on the wasm backend (matmul.ts). The register-tiled loops are unrolled by
 * this generator (WebAssembly text has no macros); the .wat it writes is the source that scripts/build-kernels.mjs
 * assembles, and `--check` fails when the committed file is not this generator's output.
 *
 *   node scripts/gemm-wat.mjs           writes src/gemm.wat
 *   node scripts/gemm-wat.mjs --check   exits 1 when src/gemm.wat differs
 *
 * Two exports, all offsets and strides in bytes:
 *
 * - `gemm(a, sai, sak, b, ldb, c, ldc, bias, m, k, n, relu)`: C[m, n] = A B (+ bias) (then max(., 0) when relu
 *   is 1), with element (i, k) of A at a + i sai + k sak (A = sai 4k, sak 4; A^T of a [k, m] matrix = sai 4,
 *   sak 4m), B [k, n] row-major with row stride ldb, C row stride ldc; bias 0 for none. Each output is summed over
 *   k in order, starting from its bias (or 0). Tiles of 4 rows x 8 columns, then 1 x 8, 4 x 4, 1 x 4 and single
 *   columns: B's rows are read as vectors, A's elements are broadcast.
 * - `gemmNT(a, lda, b, ldb, c, ldc, bias, m, k, n, relu)`: C[m, n] = A B^T (+ bias) (relu) with A [m, k] and
 *   B [n, k] row-major: dot products of rows in tiles of 4 x 2, four partial sums per output (lanes) added at the
 *   end, then the k % 4 tail, then the bias.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const GEMM_WAT = fileURLToPath(new URL('../src/gemm.wat', import.meta.url));

const range = (n) => [...Array(n).keys()];
const indent = (lines, depth) => lines.map((l) => `${'  '.repeat(depth)}${l}`);

/**
 * The A B tile of `rows` rows x `vecs` vectors of 4 columns at (i, j): accumulators from the bias (or 0), k steps
 * of broadcast-multiply-add, stored with the optional relu. Uses locals $i, $j, $kk, $pb, $pa0.., $acc_r_v, $bv_v.
 */
function nnTile(rows, vecs) {
  const out = [];
  for (const r of range(rows)) {
    out.push(
      `(local.set $pa${r} (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $sai))))`,
    );
  }
  out.push('(local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))');
  for (const v of range(vecs)) {
    out.push(
      `(local.set $bv${v} (if (result v128) (local.get $bias)`,
      `  (then (v128.load offset=${16 * v} (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))`,
      '  (else (v128.const i32x4 0 0 0 0))))',
    );
    for (const r of range(rows)) out.push(`(local.set $acc${r}_${v} (local.get $bv${v}))`);
  }
  out.push('(local.set $kk (local.get $k))');
  out.push('(block $kDone', '  (loop $kLoop', '    (br_if $kDone (i32.eqz (local.get $kk)))');
  const body = [];
  for (const v of range(vecs)) body.push(`(local.set $bv${v} (v128.load offset=${16 * v} (local.get $pb)))`);
  for (const r of range(rows)) {
    body.push(`(local.set $s (v128.load32_splat (local.get $pa${r})))`);
    for (const v of range(vecs)) {
      body.push(
        `(local.set $acc${r}_${v} (f32x4.add (local.get $acc${r}_${v}) (f32x4.mul (local.get $s) (local.get $bv${v}))))`,
      );
    }
    body.push(`(local.set $pa${r} (i32.add (local.get $pa${r}) (local.get $sak)))`);
  }
  body.push('(local.set $pb (i32.add (local.get $pb) (local.get $ldb)))');
  body.push('(local.set $kk (i32.sub (local.get $kk) (i32.const 1)))', '(br $kLoop)');
  out.push(...indent(body, 2), '  ))');
  for (const r of range(rows)) {
    for (const v of range(vecs)) {
      const value = `(local.get $acc${r}_${v})`;
      out.push(
        `(v128.store offset=${16 * v} (i32.add (i32.add (local.get $c) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2)))`,
        `  (if (result v128) (local.get $relu) (then (f32x4.max ${value} (v128.const i32x4 0 0 0 0))) (else ${value})))`,
      );
    }
  }
  return out;
}

/** One output column j, one row i, in scalar arithmetic (the n % 4 tail). */
function nnScalar() {
  return [
    '(local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sai))))',
    '(local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))',
    '(local.set $x (if (result f32) (local.get $bias)',
    '  (then (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))',
    '  (else (f32.const 0))))',
    '(local.set $kk (local.get $k))',
    '(block $kDone',
    '  (loop $kLoop',
    '    (br_if $kDone (i32.eqz (local.get $kk)))',
    '    (local.set $x (f32.add (local.get $x) (f32.mul (f32.load (local.get $pa0)) (f32.load (local.get $pb)))))',
    '    (local.set $pa0 (i32.add (local.get $pa0) (local.get $sak)))',
    '    (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))',
    '    (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))',
    '    (br $kLoop)))',
    '(if (i32.and (local.get $relu) (f32.lt (local.get $x) (f32.const 0))) (then (local.set $x (f32.const 0))))',
    '(f32.store (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))) (local.get $x))',
  ];
}

/** Rows i = 0.. of the column block starting at j: tiles of 4 rows while they fit, then single rows. */
function rowLoops(label, tile4, tile1, rows = 4) {
  return [
    '(local.set $i (i32.const 0))',
    `(block $${label}Rows4Done`,
    `  (loop $${label}Rows4`,
    `    (br_if $${label}Rows4Done (i32.gt_u (i32.add (local.get $i) (i32.const ${rows})) (local.get $m)))`,
    ...indent(tile4, 2),
    `    (local.set $i (i32.add (local.get $i) (i32.const ${rows})))`,
    `    (br $${label}Rows4)))`,
    `(block $${label}Rows1Done`,
    `  (loop $${label}Rows1`,
    `    (br_if $${label}Rows1Done (i32.ge_u (local.get $i) (local.get $m)))`,
    ...indent(tile1, 2),
    '    (local.set $i (i32.add (local.get $i) (i32.const 1)))',
    `    (br $${label}Rows1)))`,
  ];
}

// Tile sizes (rows x vectors of 4 columns; rows x B rows for A B^T). 4 x 2 measured fastest of 4x2, 4x3, 6x2, 5x2
// (A B) and 4x2, 4x3, 3x3, 2x4 (A B^T) on ref-vae's shapes in Node 20 (V8 keeps 8 accumulators in registers).
const NN_ROWS = 4;
const NN_VECS = 2;
const NT_ROWS = 4;
const NT_COLS = 2;

function gemmFunction() {
  const accs = range(NN_ROWS).flatMap((r) => range(NN_VECS).map((v) => `(local $acc${r}_${v} v128)`));
  return [
    '(func (export "gemm")',
    '  (param $a i32) (param $sai i32) (param $sak i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)',
    '  (param $bias i32) (param $m i32) (param $k i32) (param $n i32) (param $relu i32)',
    '  (local $i i32) (local $j i32) (local $kk i32) (local $pb i32) (local $x f32) (local $s v128)',
    `  ${range(NN_ROWS)
      .map((r) => `(local $pa${r} i32)`)
      .join(' ')} ${range(NN_VECS)
      .map((v) => `(local $bv${v} v128)`)
      .join(' ')}`,
    `  ${accs.join(' ')}`,
    ...indent(
      [
        '(local.set $j (i32.const 0))',
        `;; column blocks of ${4 * NN_VECS}`,
        '(block $cols8Done',
        '  (loop $cols8',
        `    (br_if $cols8Done (i32.gt_u (i32.add (local.get $j) (i32.const ${4 * NN_VECS})) (local.get $n)))`,
        ...indent(rowLoops('b8', nnTile(NN_ROWS, NN_VECS), nnTile(1, NN_VECS), NN_ROWS), 2),
        `    (local.set $j (i32.add (local.get $j) (i32.const ${4 * NN_VECS})))`,
        '    (br $cols8)))',
        ';; one column block of 4',
        '(if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n))',
        '  (then',
        ...indent(rowLoops('b4', nnTile(4, 1), nnTile(1, 1)), 2),
        '    (local.set $j (i32.add (local.get $j) (i32.const 4)))))',
        ';; single columns',
        '(block $cols1Done',
        '  (loop $cols1',
        '    (br_if $cols1Done (i32.ge_u (local.get $j) (local.get $n)))',
        '    (local.set $i (i32.const 0))',
        '    (block $s1Done',
        '      (loop $s1',
        '        (br_if $s1Done (i32.ge_u (local.get $i) (local.get $m)))',
        ...indent(nnScalar(), 4),
        '        (local.set $i (i32.add (local.get $i) (i32.const 1)))',
        '        (br $s1)))',
        '    (local.set $j (i32.add (local.get $j) (i32.const 1)))',
        '    (br $cols1)))',
      ],
      1,
    ),
    ')',
  ];
}

/** Horizontal sum of a v128 local as f32: (l0 + l1) + (l2 + l3). */
const hsum = (name) =>
  `(f32.add (f32.add (f32x4.extract_lane 0 (local.get ${name})) (f32x4.extract_lane 1 (local.get ${name}))) (f32.add (f32x4.extract_lane 2 (local.get ${name})) (f32x4.extract_lane 3 (local.get ${name}))))`;

/** The A B^T tile of `rows` rows of A x `cols` rows of B at (i, j). */
function ntTile(rows, cols) {
  const out = [];
  for (const r of range(rows)) {
    out.push(
      `(local.set $pa${r} (i32.add (local.get $a) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $lda))))`,
    );
  }
  for (const s of range(cols)) {
    out.push(
      `(local.set $pb${s} (i32.add (local.get $b) (i32.mul (i32.add (local.get $j) (i32.const ${s})) (local.get $ldb))))`,
    );
  }
  for (const r of range(rows)) {
    for (const s of range(cols)) out.push(`(local.set $acc${r}_${s} (v128.const i32x4 0 0 0 0))`);
  }
  out.push('(local.set $kk (i32.const 0))');
  out.push(
    '(block $kDone',
    '  (loop $kLoop',
    '    (br_if $kDone (i32.ge_u (local.get $kk) (local.get $k4)))',
  );
  const body = [];
  for (const s of range(cols))
    body.push(`(local.set $bv${s} (v128.load (i32.add (local.get $pb${s}) (local.get $kk))))`);
  for (const r of range(rows)) {
    body.push(`(local.set $s (v128.load (i32.add (local.get $pa${r}) (local.get $kk))))`);
    for (const s of range(cols)) {
      body.push(
        `(local.set $acc${r}_${s} (f32x4.add (local.get $acc${r}_${s}) (f32x4.mul (local.get $s) (local.get $bv${s}))))`,
      );
    }
  }
  body.push('(local.set $kk (i32.add (local.get $kk) (i32.const 16)))', '(br $kLoop)');
  out.push(...indent(body, 2), '  ))');
  for (const r of range(rows)) {
    for (const s of range(cols)) {
      out.push(
        `(local.set $x ${hsum(`$acc${r}_${s}`)})`,
        '(local.set $t (local.get $k4))',
        '(block $tDone',
        '  (loop $tLoop',
        '    (br_if $tDone (i32.ge_u (local.get $t) (local.get $kb)))',
        `    (local.set $x (f32.add (local.get $x) (f32.mul (f32.load (i32.add (local.get $pa${r}) (local.get $t))) (f32.load (i32.add (local.get $pb${s}) (local.get $t))))))`,
        '    (local.set $t (i32.add (local.get $t) (i32.const 4)))',
        '    (br $tLoop)))',
        `(if (local.get $bias) (then (local.set $x (f32.add (local.get $x) (f32.load (i32.add (local.get $bias) (i32.shl (i32.add (local.get $j) (i32.const ${s})) (i32.const 2))))))))`,
        '(if (i32.and (local.get $relu) (f32.lt (local.get $x) (f32.const 0))) (then (local.set $x (f32.const 0))))',
        `(f32.store (i32.add (i32.add (local.get $c) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $ldc))) (i32.shl (i32.add (local.get $j) (i32.const ${s})) (i32.const 2))) (local.get $x))`,
      );
    }
  }
  return out;
}

function gemmNTFunction() {
  const accs = range(NT_ROWS).flatMap((r) => range(NT_COLS).map((s) => `(local $acc${r}_${s} v128)`));
  const colLoop = (label, cols) => [
    `(block $${label}Done`,
    `  (loop $${label}`,
    `    (br_if $${label}Done (i32.gt_u (i32.add (local.get $j) (i32.const ${cols})) (local.get $n)))`,
    ...indent(rowLoops(label, ntTile(NT_ROWS, cols), ntTile(1, cols), NT_ROWS), 2),
    `    (local.set $j (i32.add (local.get $j) (i32.const ${cols})))`,
    `    (br $${label})))`,
  ];
  return [
    '(func (export "gemmNT")',
    '  (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)',
    '  (param $bias i32) (param $m i32) (param $k i32) (param $n i32) (param $relu i32)',
    '  (local $i i32) (local $j i32) (local $kk i32) (local $k4 i32) (local $kb i32) (local $t i32) (local $x f32)',
    `  (local $s v128) ${range(NT_ROWS)
      .map((r) => `(local $pa${r} i32)`)
      .join(' ')} ${range(NT_COLS)
      .map((r) => `(local $pb${r} i32)`)
      .join(' ')}`,
    `  ${range(NT_COLS)
      .map((v) => `(local $bv${v} v128)`)
      .join(' ')}`,
    `  ${accs.join(' ')}`,
    ...indent(
      [
        '(local.set $kb (i32.shl (local.get $k) (i32.const 2)))',
        '(local.set $k4 (i32.shl (i32.and (local.get $k) (i32.const -4)) (i32.const 2)))',
        '(local.set $j (i32.const 0))',
        ';; pairs of B rows, then a single one',
        ...colLoop('nt2', NT_COLS),
        ...colLoop('nt1', 1),
      ],
      1,
    ),
    ')',
  ];
}

export function renderGemmWat() {
  const header = [
    ';; Generated by scripts/gemm-wat.mjs (the loops are unrolled there). Do not edit: change the generator and run',
    ';; `node scripts/gemm-wat.mjs`; scripts/build-kernels.mjs assembles this file into kernels.generated.ts.',
    ';; Float32 matrix products for the dense layers on the wasm backend (matmul.ts); see the generator for the exports.',
  ];
  return `${[...header, '(module', '  (import "env" "memory" (memory 0))', ...indent(gemmFunction(), 1), ...indent(gemmNTFunction(), 1), ')'].join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const fresh = renderGemmWat();
  let shipped;
  try {
    shipped = readFileSync(GEMM_WAT, 'utf8');
  } catch {}
  if (process.argv.includes('--check')) {
    if (shipped !== fresh) {
      console.error(
        `gemm: ${GEMM_WAT} differs from the generator's output; run \`node scripts/gemm-wat.mjs\`.`,
      );
      process.exitCode = 1;
    }
  } else if (shipped !== fresh) {
    writeFileSync(GEMM_WAT, fresh);
    console.log(`gemm: wrote ${GEMM_WAT}`);
  }
}

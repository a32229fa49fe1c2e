;; Column sums of a [rows, n] float32 matrix: out[j] = x[0, j] + x[1, j] + ... + x[rows - 1, j], added in row order
;; (float32, the order of tfjs's Sum over axis 0), row by row so that both arrays are read sequentially.
;; scripts/build-kernels.mjs assembles it (wat2wasm of the npm package wabt) into kernels.generated.ts, which column-sums.ts uses.
(module
  (import "env" "memory" (memory 0))
  ;; x, out: byte offsets of [rows, n] and [n] float32 arrays; rows >= 1.
  (func (export "colsum") (param $x i32) (param $out i32) (param $rows i32) (param $n i32)
    (local $row i32) (local $j i32) (local $vec i32) (local $bytes i32) (local $src i32)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $vec (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    ;; out = row 0
    (memory.copy (local.get $out) (local.get $x) (local.get $bytes))
    (local.set $row (i32.const 1))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $src (i32.add (local.get $x) (i32.mul (local.get $row) (local.get $bytes))))
        (local.set $j (i32.const 0))
        (block $vecDone
          (loop $vecLoop
            (br_if $vecDone (i32.ge_u (local.get $j) (local.get $vec)))
            (v128.store (i32.add (local.get $out) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $j)))
                         (v128.load (i32.add (local.get $src) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $vecLoop)))
        (block $tailDone
          (loop $tailLoop
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $bytes)))
            (f32.store (i32.add (local.get $out) (local.get $j))
              (f32.add (f32.load (i32.add (local.get $out) (local.get $j)))
                       (f32.load (i32.add (local.get $src) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tailLoop)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rowLoop)))))

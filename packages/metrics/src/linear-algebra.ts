/**
 * Gram-Schmidt orthonormalization for principal angles (row-major Float64Arrays). The symmetric eigendecomposition
 * and the principal axes live in `@vae/core` (`symmetricEigen`, `principalAxes`); `symmetricEigen` is re-exported
 * here under its old name, deprecated.
 */
import { type SymmetricEigen as CoreSymmetricEigen, symmetricEigen as coreSymmetricEigen } from '@vae/core';

/** @deprecated Moved to `@vae/core`: `import { type SymmetricEigen } from '@vae/core'`. */
export type SymmetricEigen = CoreSymmetricEigen;

/** @deprecated Moved to `@vae/core`: `import { symmetricEigen } from '@vae/core'`. Same function. */
export const symmetricEigen: typeof coreSymmetricEigen = coreSymmetricEigen;

/**
 * An orthonormal basis (as rows) of the span of the rows of a [rows, columns] matrix, by modified Gram-Schmidt
 * with one re-orthogonalization pass. Throws when the rows are linearly dependent (relative tolerance 1e-10).
 */
export function orthonormalRows(
  values: ArrayLike<number>,
  rows: number,
  columns: number,
  where: string,
): Float64Array {
  const basis = Float64Array.from(values);
  for (let i = 0; i < rows; i++) {
    const current = basis.subarray(i * columns, (i + 1) * columns);
    let original = 0;
    for (const value of current) original += value * value;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < i; k++) {
        const previous = basis.subarray(k * columns, (k + 1) * columns);
        let dot = 0;
        for (let j = 0; j < columns; j++) dot += current[j] * previous[j];
        for (let j = 0; j < columns; j++) current[j] -= dot * previous[j];
      }
    }
    let norm = 0;
    for (const value of current) norm += value * value;
    if (!(norm > 1e-20 * original) || norm === 0) {
      throw new Error(
        `${where}: row ${i} is (nearly) a linear combination of the rows before it; pass a basis.`,
      );
    }
    const scale = 1 / Math.sqrt(norm);
    for (let j = 0; j < columns; j++) current[j] *= scale;
  }
  return basis;
}

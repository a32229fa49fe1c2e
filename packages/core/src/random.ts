/**
 * Seeded randomness. TensorFlow.js random ops take an optional integer seed per call; a `Random` hands out
 * a reproducible stream of such seeds (and shuffles index arrays) from one user-facing seed, so a whole training
 * run is repeatable from `--seed`.
 */

/** A small, fast, seedable generator (SplitMix32 mixing over a Weyl sequence). Not for cryptography. */
export class Random {
  private state: number;

  constructor(seed: number = Date.now()) {
    if (!Number.isFinite(seed)) {
      throw new Error(`Random: seed must be a finite number, got ${seed}. Pass an integer such as 42.`);
    }
    this.state = Math.trunc(seed) >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A seed for one tfjs random op (a positive integer below 2^31). */
  nextSeed(): number {
    return (this.nextUint32() & 0x7fffffff) + 1;
  }

  /** Integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** In-place Fisher-Yates shuffle; returns the array. */
  shuffle<T extends { length: number; [i: number]: any }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A shuffled permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** The internal state, for checkpoints. */
  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    this.state = state >>> 0;
  }
}

/**
 * The WebAssembly kernels are built from source: the bytes embedded in kernels.generated.ts (which adam.ts, bce.ts,
 * column-sums.ts and matmul.ts instantiate) must be exactly what wat2wasm of the pinned npm package `wabt` makes of
 * the .wat files beside them, and gemm.wat must be what scripts/gemm-wat.mjs writes. After editing a .wat file (or
 * the generator), run `pnpm --filter @vae/core build:kernels`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ADAM_WASM, BCE_WASM, COLSUM_WASM, GEMM_WASM } from './kernels.generated';

interface BuildKernels {
  GENERATED: string;
  KERNELS: Array<{ wat: string; name: string }>;
  assembleKernels(): Promise<Record<string, Uint8Array>>;
  renderModule(modules: Record<string, Uint8Array>): string;
  wabtVersion(): string;
}

const script = fileURLToPath(new URL('../scripts/build-kernels.mjs', import.meta.url));
const load = () => import(/* @vite-ignore */ script) as Promise<BuildKernels>;
const shipped: Record<string, string> = { ADAM_WASM, BCE_WASM, COLSUM_WASM, GEMM_WASM };

describe('kernels built from source', () => {
  it('ships exactly the bytes a fresh build of the .wat sources gives', async () => {
    const build = await load();
    const fresh = await build.assembleKernels();
    expect(Object.keys(fresh).sort()).toEqual(Object.keys(shipped).sort());
    for (const { wat, name } of build.KERNELS) {
      const bytes = Buffer.from(shipped[name], 'base64');
      expect(WebAssembly.validate(bytes), `${wat} is a valid module`).toBe(true);
      expect(
        Buffer.from(fresh[name]).equals(bytes),
        `${name} differs from a fresh build of ${wat} (wabt ${build.wabtVersion()}): run ` +
          '`pnpm --filter @vae/core build:kernels`',
      ).toBe(true);
    }
    // The whole generated file too (names, comments, the assembler's version).
    expect(readFileSync(build.GENERATED, 'utf8')).toBe(build.renderModule(fresh));
  });

  it('ships gemm.wat as its generator writes it', async () => {
    const gemm = (await import(
      /* @vite-ignore */ fileURLToPath(new URL('../scripts/gemm-wat.mjs', import.meta.url))
    )) as { GEMM_WAT: string; renderGemmWat(): string };
    expect(readFileSync(gemm.GEMM_WAT, 'utf8')).toBe(gemm.renderGemmWat());
  });

  it('uses the pinned assembler', async () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect((await load()).wabtVersion()).toBe(manifest.devDependencies.wabt);
  });
});

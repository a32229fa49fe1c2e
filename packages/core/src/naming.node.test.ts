// Node only: a browser test runner cannot load a second instance of a module (vi.resetModules is a no-op there).
import { describe, expect, it, vi } from 'vitest';

describe('uniqueVariableName', () => {
  it('stays unique across two copies of the module in one process (two installed @vae/core)', async () => {
    const first = await import('./naming');
    vi.resetModules();
    const second = await import('./naming');
    expect(second).not.toBe(first); // really two module instances
    const names = [first, second, first, second].map((copy) => copy.uniqueVariableName('encoder/kernel'));
    expect(new Set(names).size).toBe(4);
    for (const name of names) expect(name).toMatch(/^vae_\d+\/encoder\/kernel$/);
  });
});

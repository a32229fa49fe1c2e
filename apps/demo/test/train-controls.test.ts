import { MODEL_DESCRIPTIONS } from '@vae/models/options';
import { describe, expect, it } from 'vitest';
import { modelConfigOf, modelControls } from '../src/train-controls';

describe("the Train view's model controls come from the VAE's option description", () => {
  it('offers only values the description accepts, with its help text', () => {
    const controls = modelControls();
    expect(controls.map((c) => [c.control, c.option])).toEqual([
      ['latent', 'latentDim'],
      ['hidden', 'hidden'],
      ['beta', 'beta'],
    ]);
    for (const control of controls) {
      const option = MODEL_DESCRIPTIONS.VAE.options.find((o) => o.name === control.option);
      expect(control.help).toBe(option?.help);
    }
    // the hidden layer and beta start at the model's own defaults (400 units, beta 1)
    expect(controls.find((c) => c.control === 'hidden')?.initial).toBe(400);
    expect(controls.find((c) => c.control === 'beta')?.initial).toBe(1);
  });

  it('maps chosen values to a model config as the CLI flags are mapped, and refuses invalid ones', () => {
    expect(modelConfigOf({ latent: 2, hidden: 400, beta: 0.5 })).toEqual({
      latentDim: 2,
      hiddenUnits: [400],
      beta: 0.5,
    });
    expect(() => modelConfigOf({ latent: 0 })).toThrow(/--latent-dim must be an integer/);
    expect(() => modelConfigOf({ beta: -1 })).toThrow(/--beta must be a number/);
  });
});

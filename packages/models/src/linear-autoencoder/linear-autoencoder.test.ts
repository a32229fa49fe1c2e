import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { lowRankData } from '../testing/toy';
import { LinearAutoencoder } from './linear-autoencoder.model';

describeConcerns('LinearAutoencoder', {
  create: (seed) => new LinearAutoencoder({ inputShape: [12], latentDim: 3, seed }),
  data: () => ({ x: lowRankData(16, 12, 3) }),
});

describe('LinearAutoencoder', () => {
  it('is linear by definition: the config says so', () => {
    expect(() => new LinearAutoencoder({ codeActivation: 'sigmoid' })).toThrow(
      /activations must be 'linear'/,
    );
    expect(() => new LinearAutoencoder({ hiddenUnits: [8] })).toThrow(/one linear map each way/);
    const model = new LinearAutoencoder({ inputShape: [12], latentDim: 2 });
    expect(model.variables['preprocess/mean'].trainable).toBe(false);
    model.dispose();
  });
});

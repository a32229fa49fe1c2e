import * as tf from '@tensorflow/tfjs-core';
import { sha256Available, sha256Hex } from '@vae/core';
import { describe, expect, it, vi } from 'vitest';
import { loadModel, saveModel } from './io';
import { readSafetensors } from './safetensors/format';
import { modelFromSafetensors, modelToSafetensors } from './safetensors/model';
import { VAE } from './vae/vae.model';

/** A small VAE saved into memory, with the SHA-256 of its weights computed here (not read from the save). */
async function savedVae(seed: number): Promise<{ artifacts: tf.io.ModelArtifacts; sha: string }> {
  const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed });
  let saved: tf.io.ModelArtifacts | undefined;
  await saveModel(model, {
    save: async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  model.dispose();
  const artifacts = saved as tf.io.ModelArtifacts;
  return { artifacts, sha: await sha256Hex(new Uint8Array(artifacts.weightData as ArrayBuffer)) };
}

describe('LoadOptions.weightsSha256 (pinned weights)', () => {
  it('loads the pinned model and refuses another, a missing checksum and a malformed pin, leak-free', async () => {
    const a = await savedVae(1);
    const b = await savedVae(2);
    expect(a.sha).not.toBe(b.sha);
    const before = tf.memory().numTensors;

    const loaded = await loadModel(tf.io.fromMemory(a.artifacts), { weightsSha256: a.sha });
    expect(loaded.className).toBe('VAE');
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // Another model, consistent in itself (its model.json records its own checksum), is not the pinned one.
    await expect(loadModel(tf.io.fromMemory(b.artifacts), { weightsSha256: a.sha })).rejects.toThrow(
      new RegExp(`checksum is ${b.sha.slice(0, 12)}…, not the expected ${a.sha.slice(0, 12)}…`),
    );
    // A model that records no checksum cannot be the pinned one (without a pin it loads with a notice).
    const topology = { ...(a.artifacts.modelTopology as Record<string, unknown>) };
    delete topology.weightsSha256;
    await expect(
      loadModel(tf.io.fromMemory({ ...a.artifacts, modelTopology: topology }), { weightsSha256: a.sha }),
    ).rejects.toThrow(/checksum is missing, not the expected/);
    // The pinned model.json with other weights: the weights are verified against the pin.
    await expect(
      loadModel(tf.io.fromMemory({ ...a.artifacts, weightData: b.artifacts.weightData }), {
        weightsSha256: a.sha,
      }),
    ).rejects.toThrow(/do not match their recorded SHA-256/);
    await expect(
      loadModel(tf.io.fromMemory(a.artifacts), { weightsSha256: a.sha.toUpperCase() }),
    ).rejects.toThrow(/options\.weightsSha256 must be a SHA-256 in lowercase hex/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('LoadOptions.weightsSha256 for safetensors, and where SHA-256 is missing', () => {
  it('checks a safetensors file against the pin by its bytes, whatever its metadata records', async () => {
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed: 4 });
    const other = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed: 5 });
    const bytes = await modelToSafetensors(model);
    const otherBytes = await modelToSafetensors(other);
    model.dispose();
    other.dispose();
    const pin = await sha256Hex(readSafetensors(bytes).buffer);
    const before = tf.memory().numTensors;
    const loaded = await modelFromSafetensors(bytes, { weightsSha256: pin });
    loaded.dispose();
    await expect(modelFromSafetensors(otherBytes, { weightsSha256: pin })).rejects.toThrow(
      new RegExp(`not the pinned ${pin.slice(0, 12)}…; this is not the pinned model`),
    );
    await expect(modelFromSafetensors(bytes, { weightsSha256: 'abc' })).rejects.toThrow(
      /options\.weightsSha256 must be a SHA-256 in lowercase hex/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a pinned load where SHA-256 is unavailable (an http:// page), instead of trusting the file', async () => {
    const a = await savedVae(1);
    const model = new VAE({ inputShape: [6], hiddenUnits: [5], latentDim: 3, seed: 4 });
    const bytes = await modelToSafetensors(model);
    model.dispose();
    vi.stubGlobal('crypto', {});
    try {
      expect(sha256Available()).toBe(false);
      await expect(loadModel(tf.io.fromMemory(a.artifacts), { weightsSha256: a.sha })).rejects.toThrow(
        /SHA-256 is not available here .* so the pin cannot be checked/,
      );
      await expect(modelFromSafetensors(bytes, { weightsSha256: a.sha })).rejects.toThrow(
        /SHA-256 is not available here .* so the pin cannot be checked/,
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

/**
 * One owner of the KL weight: `VAE.klScheduleFor` decides it (fit's or evaluate's schedule, else the model's own:
 * beta, or a BetaVAE's capacity schedule), and the option descriptions build schedules that end at the model's own
 * beta. Checked against closed forms: weightedKl = w(step) * KL, with w from core's `klWeight`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KlSchedule, klPenalty, klWeight } from '@vae/core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { applyModelOptions, checkModelOptionValues } from '../base/options';
import { BetaVAE } from '../beta-vae/beta-vae.model';
import { BETA_VAE_OPTIONS } from '../beta-vae/beta-vae.options';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from './vae.model';
import { klScheduleFromOptions, VAE_OPTIONS } from './vae.options';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };
const capacity: KlSchedule = { kind: 'capacity', gamma: 10, maxCapacity: 5, steps: 4 };

describe('the KL weight has one owner (VAE.klScheduleFor)', () => {
  it('is the override when given, else the model’s own: beta, or the capacity schedule', () => {
    const before = tf.memory().numTensors;
    const vae = new VAE({ ...small, beta: 2.5, seed: 1 });
    const beta = new BetaVAE({ ...small, seed: 1 });
    const capped = new BetaVAE({ ...small, capacity, seed: 1 });
    const warmUp: KlSchedule = { kind: 'linear', from: 0, to: 1, steps: 10 };
    expect(vae.klScheduleFor()).toEqual({ kind: 'constant', value: 2.5 });
    expect(beta.klScheduleFor()).toEqual({ kind: 'constant', value: 4 });
    expect(capped.klScheduleFor()).toEqual(capacity);
    for (const model of [vae, beta, capped]) expect(model.klScheduleFor(warmUp)).toBe(warmUp);
    // a warm-up that does not say where it ends ends at the model's beta (core's standalone default is 1)
    expect(beta.klScheduleFor({ kind: 'linear', steps: 10 })).toEqual({ kind: 'linear', steps: 10, to: 4 });
    expect(vae.klScheduleFor({ kind: 'cosine', steps: 3 })).toEqual({ kind: 'cosine', steps: 3, to: 2.5 });
    expect(beta.klScheduleFor({ kind: 'cyclical', period: 5 })).toEqual({
      kind: 'cyclical',
      period: 5,
      max: 4,
    });
    for (const model of [vae, beta, capped]) model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('weights the loss as the schedule it decides: weightedKl = w(step) KL, or the capacity penalty', async () => {
    // the comparisons make tensors of their own: the scope frees them (leaks are checked in describeConcerns)
    tf.engine().startScope();
    const { x } = binaryPrototypes(8);
    const warmUp: KlSchedule = { kind: 'linear', from: 0, to: 3, steps: 6 };
    const vae = new VAE({ ...small, beta: 2.5, seed: 1 });
    for (const step of [0, 2, 6, 9]) {
      const own = vae.trainingLoss(x, { seed: 3, step });
      await expectClose(own.terms.weightedKl, tf.mul(2.5, own.terms.kl));
      const ramped = vae.trainingLoss(x, { seed: 3, step, klSchedule: warmUp });
      // w(step) = 3 * min(step, 6) / 6 in closed form, and core's klWeight agrees
      expect(klWeight(warmUp, step)).toBeCloseTo((3 * Math.min(step, 6)) / 6, 12);
      await expectClose(ramped.terms.weightedKl, tf.mul((3 * Math.min(step, 6)) / 6, ramped.terms.kl));
      // the deprecated `beta` of trainingLoss is read as a constant schedule
      const deprecated = vae.trainingLoss(x, { seed: 3, step, beta: 0.5 });
      await expectClose(deprecated.terms.weightedKl, tf.mul(0.5, deprecated.terms.kl));
      tf.dispose([own, ramped, deprecated].flatMap((l) => [l.total, ...Object.values(l.terms)]));
    }
    // a BetaVAE's warm-up without an end ramps to its beta of 4: w(step) = 4 min(step, 4) / 4
    const betaVae = new BetaVAE({ ...small, seed: 1 });
    for (const step of [1, 4, 7]) {
      const ramped = betaVae.trainingLoss(x, { seed: 3, step, klSchedule: { kind: 'linear', steps: 4 } });
      await expectClose(ramped.terms.weightedKl, tf.mul(Math.min(step, 4), ramped.terms.kl));
    }
    betaVae.dispose();
    const capped = new BetaVAE({ ...small, capacity, seed: 1 });
    const loss = capped.trainingLoss(x, { seed: 3, step: 2 });
    // gamma |KL - C(2)|, C(2) = 5 * 2 / 4 = 2.5
    const expected = tf.mul(10, tf.abs(tf.sub(loss.terms.kl, 2.5)));
    await expectClose(loss.terms.weightedKl, expected);
    await expectClose(loss.terms.weightedKl, klPenalty(loss.terms.kl, capacity, 2));
    tf.dispose([expected, loss.total, ...Object.values(loss.terms)]);
    vae.dispose();
    capped.dispose();
    tf.engine().endScope();
  });
});

describe('KL options (the descriptions of vae and beta-vae)', () => {
  it('build schedules that end at the given beta, else at the model’s own', () => {
    expect(klScheduleFromOptions({}, 1)).toBeUndefined();
    expect(
      applyModelOptions(BETA_VAE_OPTIONS, { klSchedule: 'linear', klSteps: 100 }).fit.klSchedule,
    ).toEqual({ kind: 'linear', from: 0, to: 4, steps: 100, delay: 0 });
    expect(
      applyModelOptions(VAE_OPTIONS, { klSchedule: 'cosine', klSteps: 8, beta: 2 }).fit.klSchedule,
    ).toEqual({
      kind: 'cosine',
      from: 0,
      to: 2,
      steps: 8,
    });
    expect(
      applyModelOptions(VAE_OPTIONS, { klSchedule: 'cyclical', klSteps: 8, klCycles: 3, klRamp: 0.25 }).fit
        .klSchedule,
    ).toEqual({ kind: 'cyclical', period: 8, min: 0, max: 1, rampFraction: 0.25, cycles: 3 });
    expect(applyModelOptions(VAE_OPTIONS, { klSchedule: 'constant' }).fit.klSchedule).toEqual({
      kind: 'constant',
      value: 1,
    });
    // beta is a config field; the capacity becomes the BetaVAE's own schedule
    expect(applyModelOptions(BETA_VAE_OPTIONS, { beta: 6, capacity: 25 }).config).toEqual({
      beta: 6,
      capacity: { kind: 'capacity', gamma: 1000, maxCapacity: 25, steps: 100_000 },
    });
  });

  it('refuse options that disagree, naming the flags and the fix', () => {
    const check = (values: Record<string, unknown>) =>
      checkModelOptionValues(BETA_VAE_OPTIONS, values as Parameters<typeof checkModelOptionValues>[1]);
    expect(check({ klSteps: 100 })).toMatch(
      /--kl-steps shape a KL schedule; add --kl-schedule linear, cyclical/,
    );
    expect(check({ klSchedule: 'linear' })).toBe(
      '--kl-schedule linear needs --kl-steps <n> (optimizer steps).',
    );
    expect(check({ klSchedule: 'linear', klSteps: 3, klRamp: 0.5 })).toBe(
      '--kl-ramp applies to --kl-schedule cyclical only.',
    );
    expect(check({ klSchedule: 'cosine', klSteps: 3, klDelay: 2 })).toBe(
      '--kl-delay applies to --kl-schedule linear only.',
    );
    expect(check({ capacity: 5, klSchedule: 'linear', klSteps: 3 })).toMatch(/KL schedule of its own/);
    expect(check({ capacityGamma: 5 })).toMatch(/need --capacity <nats>/);
    expect(check({ variance: 0.1 })).toBe(
      '--variance applies to --decoder gaussian only; add --decoder gaussian.',
    );
    expect(check({ beta: -1 })).toBe('--beta must be a number from 0 to 1000000; got -1.');
    expect(check({ k: 3 })).toMatch(/--k does not apply to beta-vae/);
    expect(check({ decoder: 'gaussian', variance: 0.1, klSchedule: 'cyclical', klSteps: 4 })).toBeUndefined();
  });
});

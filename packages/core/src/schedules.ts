/**
 * Schedules for the weight of the KL term, as plain JSON-serializable values (saved in configs and checkpoints)
 * and pure functions of the training step. Steps count optimizer updates from 0; pass epochs instead if the
 * schedule's lengths are given in epochs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertFiniteNumber, assertNonNegative, assertPositive, assertPositiveInteger } from './validation';

/** The same weight at every step (beta of a beta-VAE; 1 for the plain ELBO). */
export interface ConstantSchedule {
  kind: 'constant';
  /** The weight, finite and >= 0. */
  value: number;
}

/** Linear warm-up (Bowman et al. 2016): `from` for `delay` steps, then linearly to `to` over `steps` steps. */
export interface LinearSchedule {
  kind: 'linear';
  /** Weight at the start. Default 0. */
  from?: number;
  /** Weight after the warm-up. Default 1. */
  to?: number;
  /** Length of the ramp in steps, a positive integer. */
  steps: number;
  /** Steps to wait at `from` before the ramp. Default 0. */
  delay?: number;
}

/**
 * Cyclical annealing (Fu et al. 2019, "Cyclical Annealing Schedule"): the training is split into cycles of
 * `period` steps; in each, the weight rises linearly from `min` to `max` over the first `rampFraction` of the cycle
 * (R in the paper) and stays at `max` for the rest. After `cycles` cycles (if given) it stays at `max`.
 */
export interface CyclicalSchedule {
  kind: 'cyclical';
  /** Length of one cycle in steps (T / M in the paper), a positive integer. */
  period: number;
  /** Fraction of each cycle spent rising, in (0, 1]. Default 0.5. */
  rampFraction?: number;
  /** Weight at the start of each cycle. Default 0. */
  min?: number;
  /** Weight at the top. Default 1. */
  max?: number;
  /** Number of cycles (M); afterwards the weight stays at `max`. Default: cycles forever. */
  cycles?: number;
}

/** Half-cosine warm-up from `from` to `to` over `steps` steps: `to + (from - to) (1 + cos(pi t / steps)) / 2`. */
export interface CosineSchedule {
  kind: 'cosine';
  /** Weight at step 0. Default 0. */
  from?: number;
  /** Weight from step `steps` on. Default 1. */
  to?: number;
  /** Length of the transition in steps, a positive integer. */
  steps: number;
}

/**
 * The capacity schedule of Burgess et al. 2018 ("Understanding disentangling in beta-VAE"): the objective's KL
 * term becomes `gamma * |KL - C|` with a target capacity C (nats) rising linearly from `from` to `maxCapacity`
 * over `steps` steps, then held.
 */
export interface CapacitySchedule {
  kind: 'capacity';
  /** The weight gamma of |KL - C|, > 0 (the paper uses 1000 with a summed Bernoulli likelihood). */
  gamma: number;
  /** Capacity C at the end of the ramp, in nats, >= 0 (the paper reaches 25). */
  maxCapacity: number;
  /** Length of the ramp in steps, a positive integer. */
  steps: number;
  /** Capacity at step 0, in nats. Default 0. */
  from?: number;
}

export type KlSchedule =
  | ConstantSchedule
  | LinearSchedule
  | CyclicalSchedule
  | CosineSchedule
  | CapacitySchedule;

export const SCHEDULE_KINDS: readonly KlSchedule['kind'][] = [
  'constant',
  'linear',
  'cyclical',
  'cosine',
  'capacity',
];

/**
 * Throws unless `schedule` is a well-formed schedule, naming the field at fault; returns it typed. Use it on values
 * read from configs or checkpoints.
 */
export function validateSchedule(schedule: unknown): KlSchedule {
  const caller = 'validateSchedule';
  if (typeof schedule !== 'object' || schedule === null) {
    throw new Error(
      `${caller}: schedule must be an object such as { kind: 'constant', value: 1 }, got ${schedule}.`,
    );
  }
  const s = schedule as Record<string, unknown>;
  const kind = s.kind as KlSchedule['kind'];
  const field = (name: string) => `schedule.${name} (kind '${kind}')`;
  const optional = (name: string, check: (where: string, value: number) => void) => {
    if (s[name] !== undefined) check(field(name), s[name] as number);
  };
  const nonNegative = (where: string, value: number) => assertNonNegative(caller, where, value);
  switch (kind) {
    case 'constant':
      nonNegative(field('value'), s.value as number);
      break;
    case 'linear':
      assertPositiveInteger(caller, field('steps'), s.steps as number);
      optional('from', nonNegative);
      optional('to', nonNegative);
      optional('delay', (where, v) => {
        if (!Number.isInteger(v) || v < 0)
          throw new Error(`${caller}: ${where} must be an integer >= 0, got ${v}.`);
      });
      break;
    case 'cyclical':
      assertPositiveInteger(caller, field('period'), s.period as number);
      optional('rampFraction', (where, v) => {
        if (typeof v !== 'number' || !(v > 0 && v <= 1)) {
          throw new Error(`${caller}: ${where} must lie in (0, 1], got ${v}.`);
        }
      });
      optional('min', nonNegative);
      optional('max', nonNegative);
      optional('cycles', (where, v) => assertPositiveInteger(caller, where, v));
      if (
        (s.min as number | undefined) !== undefined &&
        (s.min as number) > ((s.max as number | undefined) ?? 1)
      ) {
        throw new Error(
          `${caller}: schedule.min ${s.min} exceeds schedule.max ${s.max ?? 1} (kind 'cyclical'); swap them.`,
        );
      }
      break;
    case 'cosine':
      assertPositiveInteger(caller, field('steps'), s.steps as number);
      optional('from', nonNegative);
      optional('to', nonNegative);
      break;
    case 'capacity':
      assertPositive(caller, field('gamma'), s.gamma as number);
      nonNegative(field('maxCapacity'), s.maxCapacity as number);
      assertPositiveInteger(caller, field('steps'), s.steps as number);
      optional('from', nonNegative);
      break;
    default:
      throw new Error(
        `${caller}: schedule.kind must be one of ${SCHEDULE_KINDS.join(', ')}, got '${String(kind)}'.`,
      );
  }
  return schedule as KlSchedule;
}

function checkStep(caller: string, step: number): void {
  assertFiniteNumber(caller, 'step', step);
  if (step < 0) throw new Error(`${caller}: step must be >= 0 (steps count from 0), got ${step}.`);
}

/** Linear ramp from `from` to `to`, reaching `to` after `steps`. */
function ramp(from: number, to: number, progress: number): number {
  return from + (to - from) * Math.min(1, Math.max(0, progress));
}

/**
 * The KL weight at `step` (0-based): beta for constant, the warm-up value for linear, cyclical and cosine. For a
 * capacity schedule this is gamma, the multiplier of |KL - C| (see `klPenalty`, `capacityAt`). Pure: the same
 * step always gives the same weight. Validates the schedule.
 */
export function klWeight(schedule: KlSchedule, step: number): number {
  validateSchedule(schedule);
  checkStep('klWeight', step);
  switch (schedule.kind) {
    case 'constant':
      return schedule.value;
    case 'linear':
      return ramp(schedule.from ?? 0, schedule.to ?? 1, (step - (schedule.delay ?? 0)) / schedule.steps);
    case 'cyclical': {
      const max = schedule.max ?? 1;
      if (schedule.cycles !== undefined && step >= schedule.cycles * schedule.period) return max;
      const position = (step % schedule.period) / schedule.period;
      return ramp(schedule.min ?? 0, max, position / (schedule.rampFraction ?? 0.5));
    }
    case 'cosine': {
      const from = schedule.from ?? 0;
      const to = schedule.to ?? 1;
      const progress = Math.min(1, step / schedule.steps);
      return to + ((from - to) * (1 + Math.cos(Math.PI * progress))) / 2;
    }
    case 'capacity':
      return schedule.gamma;
  }
}

/**
 * The target capacity C (nats) of a capacity schedule at `step`: linear from `from` (default 0) to `maxCapacity`
 * over `steps`, then held. Throws for other kinds.
 */
export function capacityAt(schedule: CapacitySchedule, step: number): number {
  validateSchedule(schedule);
  checkStep('capacityAt', step);
  if (schedule.kind !== 'capacity') {
    throw new Error(`capacityAt: schedule.kind must be 'capacity', got '${(schedule as KlSchedule).kind}'.`);
  }
  return ramp(schedule.from ?? 0, schedule.maxCapacity, step / schedule.steps);
}

/**
 * The scheduled KL term of the objective at `step`, elementwise on `kl` (nats, any shape): `weight * kl` for
 * constant, linear, cyclical and cosine schedules, and `gamma * |kl - C(step)|` for a capacity schedule. Burgess
 * et al. apply the capacity form to the batch-averaged KL: pass the mean KL (a scalar), not per-example values.
 */
export function klPenalty(kl: tf.Tensor, schedule: KlSchedule, step: number): tf.Tensor {
  if (schedule.kind === 'capacity') {
    const capacity = capacityAt(schedule, step);
    return tf.tidy(() => tf.mul(schedule.gamma, tf.abs(tf.sub(kl, capacity))));
  }
  return tf.mul(kl, klWeight(schedule, step));
}

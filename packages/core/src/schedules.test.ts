import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { capacityAt, type KlSchedule, klPenalty, klWeight, validateSchedule } from './schedules';
import { expectClose, expectNoLeaks } from './testing';

const at = (schedule: KlSchedule, steps: number[]) => steps.map((s) => klWeight(schedule, s));

describe('KL schedules', () => {
  it('constant and linear warm-up (with delay)', () => {
    expect(at({ kind: 'constant', value: 4 }, [0, 10, 1e6])).toEqual([4, 4, 4]);
    expect(at({ kind: 'linear', steps: 100 }, [0, 25, 100, 500])).toEqual([0, 0.25, 1, 1]);
    expect(at({ kind: 'linear', steps: 10, from: 0.5, to: 2, delay: 5 }, [0, 5, 10, 15, 20])).toEqual([
      0.5, 0.5, 1.25, 2, 2,
    ]);
  });

  it('cyclical (Fu et al. 2019): rise over rampFraction of each period, then hold; max after the last cycle', () => {
    const schedule: KlSchedule = { kind: 'cyclical', period: 10, rampFraction: 0.5, cycles: 2 };
    expect(at(schedule, [0, 1, 2, 5, 9, 10, 12, 19, 20, 35])).toEqual([0, 0.2, 0.4, 1, 1, 0, 0.4, 1, 1, 1]);
    expect(at({ kind: 'cyclical', period: 4, rampFraction: 1, min: 0.2, max: 0.6 }, [0, 2, 4, 6])).toEqual([
      0.2, 0.4, 0.2, 0.4,
    ]);
  });

  it('cosine: half-cosine from `from` to `to`', () => {
    const values = at({ kind: 'cosine', steps: 100 }, [0, 50, 100, 200]);
    expect(values[0]).toBeCloseTo(0, 12);
    expect(values[1]).toBeCloseTo(0.5, 12);
    expect(values[2]).toBeCloseTo(1, 12);
    expect(values[3]).toBeCloseTo(1, 12);
    expect(klWeight({ kind: 'cosine', steps: 4, from: 1, to: 0 }, 1)).toBeCloseTo(
      (1 + Math.cos(Math.PI / 4)) / 2,
      12,
    );
  });

  it('capacity (Burgess et al. 2018): C rises linearly to its max; the penalty is gamma |KL - C|', async () => {
    const schedule: KlSchedule = { kind: 'capacity', gamma: 1000, maxCapacity: 25, steps: 100 };
    expect([0, 40, 100, 1000].map((s) => capacityAt(schedule, s))).toEqual([0, 10, 25, 25]);
    expect(klWeight(schedule, 3)).toBe(1000);
    await expectClose(klPenalty(tf.tensor1d([8, 12]), schedule, 40), [2000, 2000]);
    await expectClose(klPenalty(tf.tensor1d([8, 12]), { kind: 'linear', steps: 10 }, 5), [4, 6]);
  });

  it('are plain values that survive JSON and validate with errors naming the field', () => {
    const schedules: KlSchedule[] = [
      { kind: 'constant', value: 1 },
      { kind: 'linear', steps: 10, delay: 2 },
      { kind: 'cyclical', period: 8 },
      { kind: 'cosine', steps: 5, from: 1, to: 0 },
      { kind: 'capacity', gamma: 100, maxCapacity: 5, steps: 50 },
    ];
    for (const schedule of schedules) {
      const copy = validateSchedule(JSON.parse(JSON.stringify(schedule)));
      expect(at(copy, [0, 3, 7, 100])).toEqual(at(schedule, [0, 3, 7, 100]));
    }
    expect(() => validateSchedule({ kind: 'exponential' })).toThrow(/schedule.kind must be one of constant/);
    expect(() => validateSchedule(null)).toThrow(/schedule must be an object/);
    expect(() => klWeight({ kind: 'constant', value: -1 }, 0)).toThrow(/schedule.value \(kind 'constant'\)/);
    expect(() => klWeight({ kind: 'linear', steps: 0 }, 0)).toThrow(/schedule.steps .* positive integer/);
    expect(() => klWeight({ kind: 'cyclical', period: 4, rampFraction: 0 }, 0)).toThrow(/rampFraction/);
    expect(() => klWeight({ kind: 'cyclical', period: 4, min: 2, max: 1 }, 0)).toThrow(
      /min 2 exceeds schedule.max 1/,
    );
    expect(() => klWeight({ kind: 'capacity', gamma: 0, maxCapacity: 1, steps: 1 }, 0)).toThrow(/gamma/);
    expect(() => klWeight({ kind: 'cosine', steps: 3, to: Number.NaN }, 0)).toThrow(/schedule.to/);
    expect(() => klWeight({ kind: 'constant', value: 1 }, -1)).toThrow(/step must be >= 0/);
    expect(() => capacityAt({ kind: 'constant', value: 1 } as never, 0)).toThrow(/must be 'capacity'/);
  });

  it('klPenalty leaks no tensors', async () => {
    const kl = tf.tensor1d([3, 4]);
    await expectNoLeaks(() => tf.dispose(klPenalty(kl, { kind: 'constant', value: 2 }, 0)));
    await expectNoLeaks(() =>
      tf.dispose(klPenalty(kl, { kind: 'capacity', gamma: 2, maxCapacity: 5, steps: 10 }, 3)),
    );
    kl.dispose();
  });
});

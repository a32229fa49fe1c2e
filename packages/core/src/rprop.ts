/**
 * Rprop (Riedmiller and Braun, "A direct adaptive method for faster backpropagation learning: the RPROP algorithm",
 * 1993), the optimizer AutoRec's paper used beside L-BFGS (Sedhain et al., 2015). Each weight has its own step size,
 * grown by `etaPlus` while its gradient keeps its sign and shrunk by `etaMinus` when the sign flips (then that
 * weight skips the step); only the sign of the gradient is used. It is a full-batch method: minibatch noise flips
 * signs at random, so train with one batch holding every row. The variant is PyTorch's `torch.optim.Rprop` (Rprop
 * without weight backtracking), with its defaults: first step `learningRate` 0.01, etas (0.5, 1.2), steps clamped
 * to [1e-6, 50].
 */
import * as tf from '@tensorflow/tfjs-core';

/** A tensor with a name, as optimizers' weights are listed. */
/** A named weight of the optimizer's state (as tfjs's optimizers give them from `getWeights`). */
export type NamedTensor = { name: string; tensor: tf.Tensor };

export interface RpropOptions {
  /** The first step size of every weight. Default 0.01. */
  learningRate?: number;
  /** Factor of the step after a sign flip, in (0, 1). Default 0.5. */
  etaMinus?: number;
  /** Factor of the step while the sign holds, > 1. Default 1.2. */
  etaPlus?: number;
  /** Smallest step. Default 1e-6. */
  minStep?: number;
  /** Largest step. Default 50. */
  maxStep?: number;
}

let registered = false;

interface RpropState {
  name: string;
  step: tf.Variable;
  previous: tf.Variable;
}

export class RpropOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'Rprop';
  }

  readonly learningRate: number;
  readonly etaMinus: number;
  readonly etaPlus: number;
  readonly minStep: number;
  readonly maxStep: number;
  private state: Record<string, RpropState> = {};

  constructor(options: RpropOptions = {}) {
    super();
    // registered on first use, not on import (the root entry has no side effects): checkpoints name the class
    if (!registered) {
      tf.serialization.registerClass(RpropOptimizer);
      registered = true;
    }
    this.learningRate = options.learningRate ?? 0.01;
    this.etaMinus = options.etaMinus ?? 0.5;
    this.etaPlus = options.etaPlus ?? 1.2;
    this.minStep = options.minStep ?? 1e-6;
    this.maxStep = options.maxStep ?? 50;
    const check = (name: string, ok: boolean, expected: string, value: number) => {
      if (!(typeof value === 'number' && Number.isFinite(value) && ok)) {
        throw new Error(`RpropOptimizer: ${name} must be ${expected}, got ${value}.`);
      }
    };
    check('learningRate', this.learningRate > 0, 'a number > 0', this.learningRate);
    check('etaMinus', this.etaMinus > 0 && this.etaMinus < 1, 'in (0, 1)', this.etaMinus);
    check('etaPlus', this.etaPlus > 1, 'a number > 1', this.etaPlus);
    check('minStep', this.minStep > 0 && this.minStep <= this.maxStep, 'in (0, maxStep]', this.minStep);
    check('maxStep', this.maxStep > 0, 'a number > 0', this.maxStep);
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    names.forEach((name, i) => {
      const gradient = Array.isArray(variableGradients)
        ? variableGradients[i].tensor
        : variableGradients[name];
      if (gradient == null) return;
      const value = tf.engine().registeredVariables[name];
      this.state[name] ??= tf.tidy(() => ({
        name,
        step: tf.variable(tf.fill(value.shape, this.learningRate), false),
        previous: tf.variable(tf.zerosLike(value), false),
      }));
      const { step, previous } = this.state[name];
      tf.tidy(() => {
        const agreement = tf.mul(gradient, previous);
        const grown = tf.minimum(tf.mul(step, this.etaPlus), this.maxStep);
        const shrunk = tf.maximum(tf.mul(step, this.etaMinus), this.minStep);
        const flipped = tf.less(agreement, 0);
        const newStep = tf.where(tf.greater(agreement, 0), grown, tf.where(flipped, shrunk, step));
        // after a sign flip the weight stays, and the next step starts afresh (its previous gradient counts as 0)
        const used = tf.where(flipped, tf.zerosLike(gradient), gradient);
        value.assign(tf.sub(value, tf.mul(tf.sign(used), newStep)));
        step.assign(newStep);
        previous.assign(used);
      });
    });
    this.incrementIterations();
  }

  override dispose(): void {
    for (const { step, previous } of Object.values(this.state)) tf.dispose([step, previous]);
    this.state = {};
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [await this.saveIterations()];
    for (const { name, step, previous } of Object.values(this.state)) {
      weights.push(
        { name: `${name}/rprop_step`, tensor: step },
        { name: `${name}/rprop_previous`, tensor: previous },
      );
    }
    return weights;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    this.dispose();
    for (let k = 0; k + 1 < rest.length; k += 2) {
      const name = rest[k].name.replace(/\/rprop_step$/, '');
      if (rest[k + 1].name !== `${name}/rprop_previous`) {
        throw new Error(`RpropOptimizer.setWeights: expected ${name}/rprop_previous after ${rest[k].name}.`);
      }
      this.state[name] = {
        name,
        step: tf.variable(rest[k].tensor, false),
        previous: tf.variable(rest[k + 1].tensor, false),
      };
    }
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      etaMinus: this.etaMinus,
      etaPlus: this.etaPlus,
      minStep: this.minStep,
      maxStep: this.maxStep,
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as RpropOptions);
  }
}

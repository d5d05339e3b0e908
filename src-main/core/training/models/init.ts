import * as tf from '@tensorflow/tfjs';
import type { InputShape, Model, ModelSpec, NamedWeight } from './types';
import { mulberry32 } from '../../random';
import { dropout, linear } from './linear';

/** The weights' generator: the same seed gives the same weights on every backend. */
export const seededRandom = mulberry32;

/** Values drawn uniformly from (-bound, bound), as PyTorch's LSTM and Linear initialisers do. */
export function uniformValues(rand: () => number, size: number, bound: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rand() * 2 - 1) * bound;
  return out;
}

let modelsBuilt = 0;

/** How WeightSet.uniform files a weight. */
export interface UniformOptions {
  /**
   * A weight added to a model type after models of it were saved, whose part those models folded
   * into the weight named here (an LSTM's b_hh into its bias): it is listed after every other
   * weight (tfjs's Adam keeps its moments by position, so an optimizer state saved before it
   * existed still fits the weights before it), and set to zero when a set that gives that weight
   * lacks it.
   */
  foldedInto?: string;
}

/** Collects a model's named variables as they are created. */
export class WeightSet {
  private readonly own: NamedWeight[] = [];
  private readonly added: NamedWeight[] = [];
  /** Weights a saved set may lack, each with the weight their part was then folded into. */
  readonly folded: { name: string; into: string }[] = [];
  // tfjs variable names are global: prefix ours per model so two models never collide.
  private readonly prefix = `model${++modelsBuilt}/`;
  constructor(readonly rand: () => number) {}

  /** The weights in order: as created, those with `foldedInto` last. */
  get weights(): NamedWeight[] {
    return [...this.own, ...this.added];
  }

  /** A new variable uniform in (-bound, bound). */
  uniform(name: string, shape: number[], bound: number, opts: UniformOptions = {}): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const initial = tf.tensor(uniformValues(this.rand, size, bound), shape, 'float32');
    const tensor = tf.variable(initial, true, this.prefix + name);
    // The variable shares initial's data; dropping the handle keeps numTensors (and memory) exact.
    initial.dispose();
    (opts.foldedInto ? this.added : this.own).push({ name, tensor });
    if (opts.foldedInto) this.folded.push({ name, into: opts.foldedInto });
    return tensor;
  }

  /** PyTorch's Linear / Conv init: weight and bias uniform in ±1/sqrt(fan_in). */
  dense(name: string, fanIn: number, units: number): { kernel: tf.Variable; bias: tf.Variable } {
    const bound = 1 / Math.sqrt(fanIn);
    return {
      kernel: this.uniform(`${name}.kernel`, [fanIn, units], bound),
      bias: this.uniform(`${name}.bias`, [units], bound),
    };
  }
}

/** A forward pass's logits [batch, classes] and the hidden layer they were read from [batch, features]. */
export interface Forward {
  embedding: tf.Tensor2D;
  logits: tf.Tensor2D;
}

/** The classifier head: dropout (while training) on the readout, then the dense layer `fc`. */
export function classify(
  embedding: tf.Tensor2D,
  fc: { kernel: tf.Variable; bias: tf.Variable },
  rate: number,
  training: boolean,
  inputGrad = true,
): Forward {
  const logits = linear(
    dropout(embedding, rate, training),
    fc.kernel as tf.Tensor2D,
    fc.bias as tf.Tensor1D,
    inputGrad,
  );
  return { embedding, logits };
}

function checkInput(x: tf.Tensor3D, inputShape: InputShape): void {
  const [, steps, dims] = x.shape;
  if (steps !== inputShape.steps || dims !== inputShape.dims) {
    throw new Error(
      `the model expects input [batch, ${inputShape.steps}, ${inputShape.dims}] but got [${x.shape.join(', ')}]`,
    );
  }
}

/** Wraps variables and a forward function into a Model with the named-weight plumbing. */
export function assembleModel(
  spec: ModelSpec,
  inputShape: InputShape,
  classes: number,
  set: WeightSet,
  forward: (x: tf.Tensor3D, training: boolean) => Forward,
): Model {
  const named = set.weights;
  const folded = set.folded;
  const byName = new Map(named.map((w) => [w.name, w.tensor]));
  return {
    spec,
    inputShape,
    classes,
    variables: named.map((w) => w.tensor),
    apply: (x, training) => {
      checkInput(x, inputShape);
      return tf.tidy(() => forward(x, training).logits);
    },
    embed: (x) => {
      checkInput(x, inputShape);
      return tf.tidy(() => forward(x, false).embedding);
    },
    namedWeights: () => named.slice(),
    getWeights: () => Object.fromEntries(named.map((w) => [w.name, new Float32Array(w.tensor.dataSync())])),
    setWeights: (weights) => {
      for (const [name, values] of Object.entries(weights)) {
        const v = byName.get(name);
        if (!v) throw new Error(`the model has no weight named "${name}"`);
        if (values.length !== v.size) {
          throw new Error(
            `weight "${name}" needs ${v.size} values (shape [${v.shape.join(', ')}]) but got ${values.length}`,
          );
        }
        tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
      }
      // A set saved before such a weight existed had its part folded into another: zero then
      // reproduces the saved model.
      for (const { name, into } of folded) {
        if (Object.hasOwn(weights, into) && !Object.hasOwn(weights, name)) {
          const v = byName.get(name)!;
          tf.tidy(() => v.assign(tf.zerosLike(v)));
        }
      }
    },
    dispose: () => named.forEach((w) => w.tensor.dispose()),
  };
}

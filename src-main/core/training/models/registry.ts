import type { FieldKey, FieldNarrowing, ModelTypeInfo } from '../../../shared/train-schema';
import { errorKind } from '../../errors';
import { cnnModel } from './cnn';
import { bgruModel, gruModel } from './gru';
import type { WeightSet } from './init';
import { blstmModel, lstmModel } from './lstm';
import { mlpModel } from './mlp';
import type { InputShape, Model, ModelSpec } from './types';

/** A spec or input shape the builders cannot honour, or a model type nobody registered. */
export const InvalidModelSpecError = errorKind('InvalidModelSpecError', 'bad-argument');
export type InvalidModelSpecError = InstanceType<typeof InvalidModelSpecError>;

/**
 * One model type: everything the rest of the app learns about it. A new type is one file that
 * exports a ModelTypeDef and one line in MODEL_TYPE_LIST below; validation (validateRun, createRun,
 * validateSpec, and through them the API's answers), the CLI's --model and --help, and the New run
 * form's model select with its ranges all read this list.
 */
export interface ModelTypeDef {
  /** What ModelSpec.type holds, a lowercase word (the CLI's --model value). */
  readonly id: string;
  /** Shown in the form's model select. */
  readonly label: string;
  /** One sentence for --help and tooltips. */
  readonly description: string;
  /** The ModelSpec fields it reads besides `type` (e.g. hidden, layers, dropout, readout); others are ignored. */
  readonly uses: readonly FieldKey[];
  /** Ranges narrower than the schema's (shared/train-fields.ts) for this type, e.g. { layers: { max: 4 } }. */
  readonly narrow?: Readonly<Partial<Record<FieldKey, FieldNarrowing>>>;
  /**
   * A preset of its own, listed after the built-in ones: the seed LSTM's settings with this model
   * type, and `model`'s changes (e.g. its own hidden size).
   */
  readonly preset?: {
    readonly name: string;
    readonly description: string;
    readonly model?: Partial<ModelSpec>;
  };
  /** What is wrong with a spec (already in range) for inputs of this shape, or null. */
  shapeProblem?(spec: ModelSpec, shape: InputShape): string | null;
  /**
   * The network for inputs [batch, shape.steps, shape.dims] and `classes` logits, every weight
   * drawn from `set` (so a seed gives the same weights on every backend). The spec is valid.
   */
  build(spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet): Model;
}

/** Every model type, in the order the form's select and --help list them. */
export const MODEL_TYPE_LIST: readonly ModelTypeDef[] = [
  // One line per type.
  mlpModel,
  cnnModel,
  lstmModel,
  blstmModel,
  gruModel,
  bgruModel,
];

/** The ids of the registered model types, in list order. */
export function modelTypeIds(): string[] {
  return MODEL_TYPE_LIST.map((t) => t.id);
}

/** The registered type of an id, or undefined. */
export function findModelType(id: unknown): ModelTypeDef | undefined {
  return MODEL_TYPE_LIST.find((t) => t.id === id);
}

/** The registered type of an id; an InvalidModelSpecError (bad-argument) naming the known types otherwise. */
export function modelType(id: unknown): ModelTypeDef {
  const found = findModelType(id);
  if (!found)
    throw new InvalidModelSpecError(
      `unknown model type ${JSON.stringify(id)}; one of ${modelTypeIds().join(', ')}`,
    );
  return found;
}

/** What the shells see of each type (no builders: this crosses to windows as JSON). */
export function modelTypeInfo(): ModelTypeInfo[] {
  return MODEL_TYPE_LIST.map(({ id, label, description, uses, narrow }) => ({
    id,
    label,
    description,
    uses: [...uses],
    narrow: { ...narrow },
  }));
}

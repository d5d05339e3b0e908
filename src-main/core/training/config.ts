import { DEFAULT_FEATURES } from '../../shared/features';
import { MODEL_TYPES, PRESET_NAMES, type PresetName, type TrainConfig } from '../../shared/training';
import { validateFeatureConfig } from '../features/config';
import type { TrainOverrides } from '../../shared/contract';
import { errorKind } from '../errors';

export type { TrainOverrides };

/** A training setting out of range; the message names the setting and the allowed range. */
export const TrainConfigError = errorKind('TrainConfigError', 'bad-argument');
export type TrainConfigError = InstanceType<typeof TrainConfigError>;

const SEED_LSTM: TrainConfig = {
  model: { type: 'lstm', hidden: 128, layers: 3, dropout: 0, activation: 'relu', readout: 'last' },
  features: { ...DEFAULT_FEATURES },
  optimizer: 'adam',
  lr: 0.0008,
  momentum: 0.9,
  weightDecay: 0,
  batch: 32,
  epochs: 20,
  patience: 0,
  seed: 0,
};

/** The seed study's settings, and a first run that learns on the small default set. */
export const PRESETS: Record<PresetName, { description: string; config: TrainConfig }> = {
  'seed-lstm': {
    description:
      "The seed's LSTM: raw 100x160 frames of the first 1 s, hidden 128, 3 layers, Adam 0.0008, batch 32, 20 epochs",
    config: SEED_LSTM,
  },
  'seed-blstm': {
    description: "The seed's bidirectional LSTM, otherwise as seed-lstm",
    config: { ...SEED_LSTM, model: { ...SEED_LSTM.model, type: 'blstm' } },
  },
  'seed-fc': {
    description: "The seed's fully connected baseline over the raw first second",
    config: { ...SEED_LSTM, model: { ...SEED_LSTM.model, type: 'mlp', hidden: 256, layers: 2 } },
  },
  'seed-cnn': {
    description: "The seed's CNN baseline over the raw 100x160 frames",
    config: { ...SEED_LSTM, model: { ...SEED_LSTM.model, type: 'cnn', hidden: 64, layers: 3 } },
  },
  'logmel-lstm': {
    description:
      'The seed LSTM on 64-band log-mel frames (learns on the small default set where raw frames barely do)',
    config: {
      ...SEED_LSTM,
      features: { ...DEFAULT_FEATURES, representation: 'logmel', normalization: 'standard' },
    },
  },
};

function check(ok: boolean, message: string): void {
  if (!ok) throw new TrainConfigError(message);
}

function intIn(v: number, name: string, min: number, max: number): void {
  check(
    Number.isInteger(v) && v >= min && v <= max,
    `${name} must be a whole number from ${min} to ${max} (got ${v})`,
  );
}

function numIn(v: number, name: string, min: number, max: number, openMin = false): void {
  const ok = Number.isFinite(v) && (openMin ? v > min : v >= min) && v <= max;
  check(
    ok,
    `${name} must be a number ${openMin ? 'above' : 'from'} ${min} ${openMin ? 'and at most' : 'to'} ${max} (got ${v})`,
  );
}

/** A preset (default seed-lstm) with overrides applied, every value checked against its range. */
export function resolveTrainConfig(
  preset: string = 'seed-lstm',
  overrides: TrainOverrides = {},
): TrainConfig {
  check(
    (PRESET_NAMES as readonly string[]).includes(preset),
    `preset must be one of ${PRESET_NAMES.join(', ')} (got "${preset}")`,
  );
  const base = PRESETS[preset as PresetName].config;
  const config: TrainConfig = {
    ...base,
    ...overrides,
    model: { ...base.model, ...overrides.model },
    features: validateFeatureConfig({ ...base.features, ...overrides.features }),
  };
  const m = config.model;
  check(MODEL_TYPES.includes(m.type), `model must be one of ${MODEL_TYPES.join(', ')} (got "${m.type}")`);
  intIn(m.hidden, 'hidden', 1, 4096);
  intIn(m.layers, 'layers', 1, 8);
  numIn(m.dropout, 'dropout', 0, 0.9);
  check(['relu', 'tanh'].includes(m.activation), `activation must be relu or tanh (got "${m.activation}")`);
  check(
    ['last', 'mean', 'max'].includes(m.readout),
    `readout must be one of last, mean, max (got "${m.readout}")`,
  );
  check(
    ['adam', 'sgd'].includes(config.optimizer),
    `optimizer must be adam or sgd (got "${config.optimizer}")`,
  );
  numIn(config.lr, 'learning rate', 0, 10, true);
  numIn(config.momentum, 'momentum', 0, 0.999);
  numIn(config.weightDecay, 'weight decay', 0, 1);
  intIn(config.batch, 'batch', 1, 4096);
  intIn(config.epochs, 'epochs', 1, 10000);
  intIn(config.patience, 'patience', 0, 10000);
  intIn(config.seed, 'seed', 0, 2 ** 31 - 1);
  return config;
}

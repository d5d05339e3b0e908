import { DEFAULT_FEATURES } from '../../shared/features';
import { DEFAULT_TRAIN_CONFIG } from '../../shared/train-schema';
import { PRESET_NAMES, type PresetName, type TrainConfig } from '../../shared/training';
import { validateFeatureConfig } from '../features/config';
import type { TrainOverrides } from '../../shared/contract';
import { errorKind } from '../errors';
import { configProblem } from './options';

export type { TrainOverrides };

/** A training setting out of range; the message names the setting and the allowed range. */
export const TrainConfigError = errorKind('TrainConfigError', 'bad-argument');
export type TrainConfigError = InstanceType<typeof TrainConfigError>;

const SEED_LSTM: TrainConfig = DEFAULT_TRAIN_CONFIG;

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

/** A preset (default seed-lstm) with overrides applied, every value checked against the schema. */
export function resolveTrainConfig(
  preset: string = 'seed-lstm',
  overrides: TrainOverrides = {},
): TrainConfig {
  if (!(PRESET_NAMES as readonly string[]).includes(preset))
    throw new TrainConfigError(`preset must be one of ${PRESET_NAMES.join(', ')} (got "${preset}")`);
  const base = PRESETS[preset as PresetName].config;
  const config: TrainConfig = {
    ...base,
    ...overrides,
    model: { ...base.model, ...overrides.model },
    features: validateFeatureConfig({ ...base.features, ...overrides.features }),
  };
  const problem = configProblem(config, ['model', 'training']);
  if (problem) throw new TrainConfigError(problem.message);
  return config;
}

import { DEFAULT_FEATURES } from '../../shared/features';
import { DEFAULT_TRAIN_CONFIG } from '../../shared/train-schema';
import type { PresetName, TrainConfig } from '../../shared/training';
import { validateFeatureConfig } from '../features/config';
import type { TrainOverrides } from '../../shared/contract';
import { errorKind } from '../errors';
import { MODEL_TYPE_LIST } from './models/registry';
import { configProblem } from './options';

export type { TrainOverrides };

/** A training setting out of range; the message names the setting and the allowed range. */
export const TrainConfigError = errorKind('TrainConfigError', 'bad-argument');
export type TrainConfigError = InstanceType<typeof TrainConfigError>;

const SEED_LSTM: TrainConfig = DEFAULT_TRAIN_CONFIG;

/** A preset: a whole configuration under a name, as the New run form and --preset offer it. */
export interface Preset {
  description: string;
  config: TrainConfig;
}

const LOGMEL = { ...DEFAULT_FEATURES, representation: 'logmel', normalization: 'standard' } as const;

// A first run that learns on the small default set (the New run form starts with it), then the
// seed study's settings.
const BUILT_IN: Record<PresetName, Preset> = {
  'logmel-mlp': {
    description:
      'A first run that learns: an MLP (2 x 256) on 64-band log-mel frames of the first 1 s, each note scaled to mean 0 and sd 1, each training note pitch-shifted at random within ± 2 semitones, 15 epochs, the last model the mean of the last 5 epochs; a few minutes on 2 cores for the default set',
    config: {
      ...SEED_LSTM,
      model: { ...SEED_LSTM.model, type: 'mlp', hidden: 256, layers: 2 },
      // Per-clip scaling and the average of the last 5 epochs: the last model 3.0 points better on
      // sounds of an unheard SoundFont over 6 seeds (p = 0.008), 7.3 on the default set over 3
      // (p = 0.05); the best-validation one 1.6 and 2.3 (docs/augmentation.md).
      features: { ...LOGMEL, normalization: 'clip' },
      // 2.1 points better on sounds of an unheard SoundFont over 6 seeds (p = 0.004), 2.9 on the
      // default set over 3 (p = 0.18): docs/augmentation.md.
      pitch: 2,
      epochs: 15,
      averageLast: 5,
    },
  },
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
    config: { ...SEED_LSTM, features: LOGMEL },
  },
};

/** Every preset: the built-in ones, then those the registered model types declare (seed-gru ...). */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  ...BUILT_IN,
  ...Object.fromEntries(
    MODEL_TYPE_LIST.flatMap(({ id, preset }) =>
      preset
        ? [
            [
              preset.name,
              {
                description: preset.description,
                config: {
                  ...SEED_LSTM,
                  ...preset.training,
                  model: { ...SEED_LSTM.model, type: id, ...preset.model },
                  features: { ...SEED_LSTM.features, ...preset.features },
                },
              },
            ],
          ]
        : [],
    ),
  ),
};

/** The presets' names, in the order forms and --help list them. */
export const PRESET_NAMES: readonly PresetName[] = Object.keys(PRESETS);

/** A preset (default seed-lstm) with overrides applied, every value checked against the schema. */
export function resolveTrainConfig(
  preset: string = 'seed-lstm',
  overrides: TrainOverrides = {},
): TrainConfig {
  if (!Object.hasOwn(PRESETS, preset))
    throw new TrainConfigError(`preset must be one of ${PRESET_NAMES.join(', ')} (got "${preset}")`);
  const base = PRESETS[preset]!.config;
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkArgs } from '../../../src-main/core/api-schema';
import { PRESETS, resolveTrainConfig, TrainConfigError } from '../../../src-main/core/training/config';
import { MODEL_TYPE_LIST } from '../../../src-main/core/training/models/registry';
import { trainingOptions } from '../../../src-main/core/training/options';
import { Workbench } from '../../../src-main/core/workbench';
import { flatten } from '../../../src-main/shared/train-checks';
import { DEFAULT_TRAIN_CONFIG } from '../../../src-main/shared/train-schema';
import { unpackRuns } from '../../../src-main/shared/run-list';
import { tempDir } from '../../helpers/tmp';

const field = (key: string) => trainingOptions().fields.find((f) => f.key === key)!;

describe('trainingOptions()', () => {
  it('lists every setting once, with its label, help, default and range', () => {
    const options = trainingOptions();
    const keys = options.fields.map((f) => f.key);
    expect([...keys].sort()).toEqual(Object.keys(flatten(DEFAULT_TRAIN_CONFIG)).sort());
    for (const f of options.fields) {
      expect(f.label, f.key).not.toBe('');
      expect(f.help, f.key).not.toBe('');
      expect(f.default, f.key).toBe(flatten(PRESETS['seed-lstm'].config)[f.key]);
      if (f.kind === 'choice')
        expect(
          f.choices!.map((c) => c.value),
          f.key,
        ).toContain(f.default);
      else expect(f.min! <= (f.default as number) && (f.default as number) <= f.max!, f.key).toBe(true);
    }
    expect(field('layers')).toMatchObject({ kind: 'int', min: 1, max: 8, label: 'Layers' });
    expect(field('lr')).toMatchObject({ kind: 'number', min: 0, max: 10, openMin: true });
    expect(field('nFft')).toMatchObject({ pow2: true, usedBy: { representations: ['logmel', 'mfcc'] } });
    expect(field('momentum').usedBy).toEqual({ optimizers: ['sgd'] });
    // It crosses to windows as JSON.
    expect(JSON.parse(JSON.stringify(options))).toEqual(options);
  });

  it('joins the registries: model types with their narrower ranges, representations with their fields', () => {
    const options = trainingOptions();
    const ids = MODEL_TYPE_LIST.map((t) => t.id);
    expect(ids.slice(0, 4)).toEqual(['mlp', 'cnn', 'lstm', 'blstm']);
    expect(field('type').choices!.map((c) => c.value)).toEqual(ids);
    expect(options.modelTypes.find((t) => t.id === 'cnn')).toMatchObject({
      label: 'cnn',
      narrow: { layers: { min: 1, max: 4 } },
    });
    expect(field('activation').usedBy).toEqual({ modelTypes: ['mlp', 'cnn', 'cnn2d'] });
    expect(field('readout').usedBy!.modelTypes).not.toContain('mlp');
    expect(options.representations.map((r) => [r.id, r.uses, r.steps, r.dims])).toEqual([
      ['raw', ['frame'], 'frames', 'frame'],
      ['logmel', ['nFft', 'hop', 'nMels'], 'stft', 'nMels'],
      ['mfcc', ['nFft', 'hop', 'nMels', 'nMfcc'], 'stft', 'nMfcc'],
    ]);
    expect(field('representation').choices).toEqual([
      { value: 'raw', label: 'raw' },
      { value: 'logmel', label: 'log-mel' },
      { value: 'mfcc', label: 'MFCC' },
    ]);
  });
});

describe('validation derived from the schema', () => {
  it("refuses a CNN's 5th to 8th layer, naming layers and 1 to 4; other types keep 1 to 8", () => {
    for (const layers of [5, 6, 8]) {
      expect(() => resolveTrainConfig('seed-cnn', { model: { layers } })).toThrow(
        /^layers must be a whole number from 1 to 4 for cnn \(got \d\)$/,
      );
    }
    expect(resolveTrainConfig('seed-cnn', { model: { layers: 4 } }).model.layers).toBe(4);
    expect(resolveTrainConfig('seed-lstm', { model: { layers: 8 } }).model.layers).toBe(8);
    expect(() => resolveTrainConfig('seed-lstm', { model: { layers: 9 } })).toThrow(/from 1 to 8 \(got 9\)/);
  });

  it('refuses a model type nobody registered instead of training an LSTM', () => {
    expect(() => resolveTrainConfig('seed-lstm', { model: { type: 'transformer' } })).toThrow(
      TrainConfigError,
    );
    expect(() => resolveTrainConfig('seed-lstm', { model: { type: 'transformer' } })).toThrow(
      /^type must be one of mlp, cnn, lstm, blstm.* \(got "transformer"\)$/,
    );
  });

  it('keeps every preset as it was', () => {
    // The seed LSTM as runs recorded it before the schema (activation relu, as config.ts had it),
    // with the training aids of issue 14 off (a constant rate, no warm-up, clipping or smoothing),
    // and no augmentation (pitch shift included), class balance, evaluation over clips or weight
    // averaging.
    expect(JSON.stringify(PRESETS['seed-lstm'].config)).toBe(
      '{"model":{"type":"lstm","hidden":128,"layers":3,"dropout":0,"activation":"relu","readout":"last"},' +
        '"features":{"start":0,"seconds":1,"representation":"raw","frame":160,"nFft":1024,"hop":256,' +
        '"nMels":64,"nMfcc":20,"normalization":"none","maxPerFamily":0},"optimizer":"adam","lr":0.0008,' +
        '"schedule":"constant","warmup":0,"momentum":0.9,"weightDecay":0,"clip":0,"labelSmoothing":0,' +
        '"shift":0,"gain":0,"pitch":0,"timeMasks":0,"timeMaskWidth":10,"freqMasks":0,"freqMaskWidth":8,"mixup":0,' +
        '"balance":"none","evalClips":1,"averageLast":1,"batch":32,"workers":1,"epochs":20,"patience":0,"seed":0}',
    );
    expect(PRESETS['seed-cnn'].config.model).toEqual({
      ...PRESETS['seed-lstm'].config.model,
      type: 'cnn',
      hidden: 64,
    });
    expect(PRESETS['seed-fc'].config.model).toMatchObject({ type: 'mlp', hidden: 256, layers: 2 });
    expect(PRESETS['logmel-lstm'].config.features).toMatchObject({
      representation: 'logmel',
      normalization: 'standard',
    });
    for (const [name, p] of Object.entries(PRESETS)) expect(resolveTrainConfig(name), name).toEqual(p.config);
  });

  it('lists the presets model types declare after the built-in ones, the seed settings with their type', () => {
    const seed = PRESETS['seed-lstm']!.config;
    expect(Object.keys(PRESETS)).toEqual([
      'logmel-mlp',
      'seed-lstm',
      'seed-blstm',
      'seed-fc',
      'seed-cnn',
      'logmel-lstm',
      'logmel-cnn2d',
      'logmel-crnn',
      'seed-gru',
      'seed-bgru',
    ]);
    // A type's own preset may bring its features and training (the 2-D models read log-mel, each
    // clip scaled, pitch-shifted, the last 5 epochs averaged).
    for (const [name, type] of [
      ['logmel-cnn2d', 'cnn2d'],
      ['logmel-crnn', 'crnn'],
    ]) {
      expect(PRESETS[name]!.config).toMatchObject({
        model: { type, readout: 'mean', dropout: 0.3 },
        features: { ...seed.features, representation: 'logmel', normalization: 'clip' },
        epochs: 15,
        pitch: 2,
        averageLast: 5,
        lr: seed.lr,
      });
    }
    expect(PRESETS['logmel-cnn2d']!.config.model).toMatchObject({ hidden: 16, layers: 3 });
    expect(PRESETS['seed-bgru']!.config).toEqual({ ...seed, model: { ...seed.model, type: 'bgru' } });
    expect(PRESETS['seed-gru']!.description).toMatch(/GRU.*seed LSTM's settings/);
    // The first (the New run form starts with it): the seed's fully connected net on log-mel, each
    // clip scaled to mean 0 and sd 1, with a random pitch shift of ± 2 semitones and the last
    // model averaged over the last 5 epochs.
    const fc = PRESETS['seed-fc']!.config;
    expect(PRESETS['logmel-mlp']!.config).toEqual({
      ...fc,
      features: { ...fc.features, representation: 'logmel', normalization: 'clip' },
      pitch: 2,
      epochs: 15,
      averageLast: 5,
    });
    expect(() => resolveTrainConfig('toString')).toThrow(
      /preset must be one of .*seed-bgru \(got "toString"\)/,
    );
  });

  it("the API's argument check refuses unknown keys and wrong types; ranges are core's", () => {
    const run = (overrides: unknown) => checkArgs('validateRun', [{ overrides }]);
    expect(() => run({ model: { layerz: 3 } })).toThrow(/layerz/);
    expect(() => run({ model: { layers: '3' } })).toThrow(/model\.layers/);
    expect(() => run({ features: { nFft: 1.5 } })).toThrow(/features\.nFft/);
    expect(() => run({ optimiser: 'sgd' })).toThrow(/optimiser/);
    expect(run({ model: { type: 'cnn', layers: 6 }, optimizer: 'sgd', features: { hop: 64 } })).toHaveLength(
      1,
    );
  });
});

describe('validateRun and createRun', () => {
  let cleanup: () => void;
  let wb: Workbench;
  beforeAll(() => {
    const t = tempDir('timbre-options-');
    cleanup = t.cleanup;
    wb = new Workbench({ home: t.dir });
  });
  afterAll(async () => {
    await wb.close();
    cleanup();
  });

  it('refuse a CNN with 6 layers and an unknown model type before anything is queued', async () => {
    const cnn6 = { preset: 'seed-cnn', overrides: { model: { layers: 6 } } };
    await expect(wb.validateRun(cnn6)).rejects.toMatchObject({
      code: 'bad-argument',
      message: expect.stringMatching(/layers .*1 to 4/),
    });
    await expect(wb.createRun(cnn6)).rejects.toThrow(/layers must be a whole number from 1 to 4 for cnn/);
    await expect(wb.createRun({ overrides: { model: { type: 'gpt' } } })).rejects.toThrow(/got "gpt"/);
    expect(unpackRuns(await wb.listRuns())).toEqual([]);
  });
});

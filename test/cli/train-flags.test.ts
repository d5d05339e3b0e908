import { describe, expect, it } from 'vitest';
import { trainFlagsHelp, trainOverridesFromFlags, TRAIN_FLAGS } from '../../src-main/cli/train-flags';
import { trainingOptions } from '../../src-main/core/training/options';
import { timbre } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const options = trainingOptions();

describe("timbre train's flags from the schema", () => {
  it('has one flag per setting and reads each into its place in the overrides', () => {
    expect(Object.keys(TRAIN_FLAGS).sort()).toEqual(options.fields.map((f) => f.flag).sort());
    expect(
      trainOverridesFromFlags(
        { model: 'cnn', layers: '6', lr: '0.01', 'weight-decay': '0.1', features: 'mfcc', 'n-mfcc': '13' },
        options,
      ),
    ).toEqual({
      model: { type: 'cnn', layers: 6 },
      lr: 0.01,
      weightDecay: 0.1,
      features: { representation: 'mfcc', nMfcc: 13 },
    });
    expect(() => trainOverridesFromFlags({ 'n-fft': '1000' }, options)).toThrow(
      /^--n-fft must be a power of two from 64 to 8192 \(got "1000"\)$/,
    );
    expect(() => trainOverridesFromFlags({ hidden: '' }, options)).toThrow(/--hidden must be a whole number/);
  });

  it('--help lists every flag with its range, default and help, and each model type', () => {
    const { dir, cleanup } = tempDir('timbre-train-help-');
    try {
      const r = timbre(dir, ['train', '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(trainFlagsHelp(options));
      expect(r.stdout).toMatch(/--layers N +1 to 8 \(cnn: 1 to 4; cnn2d: 1 to 4\); default 3\n +Layers\. /);
      expect(r.stdout).toMatch(/--lr X +above 0 and at most 10; default 0\.0008/);
      expect(r.stdout).toMatch(/--n-fft N +a power of two from 64 to 8192; default 1024/);
      expect(r.stdout).toMatch(/--momentum X .*\n.*Used by sgd\./);
      for (const t of options.modelTypes)
        expect(r.stdout).toContain(`\n  ${t.id.padEnd(8)} ${t.description}\n`);
      for (const f of options.fields) expect(r.stdout).toContain(`[--${f.flag} `);
    } finally {
      cleanup();
    }
  });
});

// A run's settings in a few words, and values as every report writes them.
import type { FeatureConfig } from '../../shared/features';
import { secondsText } from '../../shared/format';
import { gainRange, pitchRange } from '../features/augment';
import { findRepresentation } from '../features/representations/registry';
import type { RunDetail } from '../../shared/training';

/** What a model sees, in a few words: "logmel 16 mels, 0-0.5 s, standard". */
export function describeFeatures(f: FeatureConfig): string {
  const what = findRepresentation(f.representation)?.summary(f) ?? f.representation;
  const parts = [what, `${secondsText(f.start)}-${secondsText(f.start + f.seconds)} s`];
  if (f.normalization !== 'none') parts.push(f.normalization);
  if (f.maxPerFamily > 0) parts.push(`max ${f.maxPerFamily}/family`);
  return parts.join(', ');
}

/** The network in a few words: "lstm 128x3", "blstm 128x3, dropout 0.2". */
export function describeModel(run: RunDetail): string {
  const m = run.config.model;
  const parts = [`${m.type} ${m.hidden}x${m.layers}`];
  if (m.dropout > 0) parts.push(`dropout ${m.dropout}`);
  return parts.join(', ');
}

/**
 * The optimiser in a few words: "adam lr 0.0008", "sgd lr 0.01 m 0.9, wd 0.0001",
 * "adamw lr 0.001 cosine, warm-up 2, wd 0.01, clip 1, smoothing 0.1", then the class balance and
 * the augmentation: "balance weights, augmented: start +0.5 s, gain ±6 dB, pitch ±2 st, 2 time masks ≤10, mixup 0.2".
 */
export function describeOptimizer(run: RunDetail): string {
  const c = run.config;
  let text = `${c.optimizer} lr ${c.lr}`;
  if (c.schedule !== 'constant') text += ` ${c.schedule}`;
  if (c.optimizer === 'sgd') text += ` m ${c.momentum}`;
  if (c.warmup > 0) text += `, warm-up ${c.warmup}`;
  if (c.weightDecay > 0) text += `, wd ${c.weightDecay}`;
  if (c.clip > 0) text += `, clip ${c.clip}`;
  if (c.labelSmoothing > 0) text += `, smoothing ${c.labelSmoothing}`;
  if (c.balance && c.balance !== 'none') text += `, balance ${c.balance}`;
  const aug: string[] = [];
  if (c.shift > 0) aug.push(`start +${c.shift} s`);
  if (gainRange(c) > 0) aug.push(`gain ±${c.gain} dB`);
  if (pitchRange(c) > 0) aug.push(`pitch ±${c.pitch} st`);
  if (c.timeMasks > 0) aug.push(`${c.timeMasks} time mask${c.timeMasks > 1 ? 's' : ''} ≤${c.timeMaskWidth}`);
  if (c.freqMasks > 0 && c.features.representation !== 'raw')
    aug.push(`${c.freqMasks} freq mask${c.freqMasks > 1 ? 's' : ''} ≤${c.freqMaskWidth}`);
  if (c.mixup > 0) aug.push(`mixup ${c.mixup}`);
  if (aug.length) text += `, augmented: ${aug.join(', ')}`;
  if (c.evalClips > 1) text += `, evaluated over ${c.evalClips} clips`;
  if (c.averageLast > 1) text += `, last ${c.averageLast} epochs averaged`;
  return text;
}

/** A float32 value with the digits it holds (7 significant), as a plain number. */
export function float32Value(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(7)) : x;
}

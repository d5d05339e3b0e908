// How a sweep's search space, counts and state read on the Sweeps pages.
import type { RunStatus } from '../../../src-main/shared/training';
import type {
  EarlyStopping,
  SweepCounts,
  SweepDistribution,
  SweepSpec,
  SweepSummary,
  SweepValue,
} from '../../../src-main/shared/sweeps';
import { TRAIN_FIELDS, type FieldKey } from '../../../src-main/shared/train-schema';

const fields = new Map(TRAIN_FIELDS.map((f) => [f.key, f]));

/** A setting's short name, as flags and run labels write it ("lr", "layers"). */
export const fieldFlag = (key: FieldKey): string => fields.get(key)?.flag ?? key;

/** A setting's name in full ("Learning rate"). */
export const fieldLabel = (key: FieldKey): string => fields.get(key)?.label ?? key;

/** A number as labels show it: at most 4 significant digits. */
export const valueText = (v: SweepValue): string =>
  typeof v === 'number' ? String(Number(v.toPrecision(4))) : v;

/** How a random sweep draws a setting: "0.001, 0.0003", "log-uniform 1e-6 to 0.001", "whole 2 to 8". */
export function distributionText(d: SweepDistribution): string {
  switch (d.kind) {
    case 'choice':
      return d.values.map(valueText).join(', ');
    case 'uniform':
      return `uniform ${valueText(d.min)} to ${valueText(d.max)}`;
    case 'loguniform':
      return `log-uniform ${valueText(d.min)} to ${valueText(d.max)}`;
    case 'int':
      return `whole ${d.min} to ${d.max}`;
  }
}

/** Each varied setting with what it takes, in the spec's order. */
export function searchSpace(spec: SweepSpec): { key: FieldKey; label: string; flag: string; text: string }[] {
  const out: { key: FieldKey; label: string; flag: string; text: string }[] = [];
  const add = (key: FieldKey, text: string) =>
    out.push({ key, label: fieldLabel(key), flag: fieldFlag(key), text });
  // A random sweep draws a listed setting uniformly from its list.
  const listed = spec.method === 'random' ? 'one of ' : '';
  for (const [key, values] of Object.entries(spec.grid ?? {}) as [FieldKey, SweepValue[]][])
    add(key, listed + values.map(valueText).join(', '));
  if (spec.method === 'random')
    for (const [key, d] of Object.entries(spec.random ?? {}) as [FieldKey, SweepDistribution][])
      add(key, distributionText(d));
  return out;
}

/** A sweep's early-stopping rule in a sentence, or "none". */
export function earlyStoppingText(rule: EarlyStopping | undefined): string {
  if (!rule) return 'none';
  if (rule.method === 'median')
    return `median stopping after ${rule.minEpochs ?? 3} epochs, once ${rule.minRuns ?? 3} other runs got there`;
  const eta = rule.eta ?? 3;
  const rungs = rule.rungs?.length
    ? `at epochs ${rule.rungs.join(', ')}`
    : `from epoch ${rule.minEpochs ?? 1}`;
  return `ASHA ${rungs}, keeping the top 1/${eta}`;
}

/** The parts of a sweep's progress bar, in the order drawn: ended ones first, waiting last. */
export const PROGRESS_PARTS: { key: string; label: string; status: RunStatus; of: RunStatus[] }[] = [
  { key: 'done', label: 'done', status: 'finished', of: ['finished'] },
  { key: 'stopped', label: 'stopped', status: 'stopped', of: ['stopped'] },
  { key: 'failed', label: 'failed', status: 'failed', of: ['failed', 'interrupted'] },
  { key: 'cancelled', label: 'cancelled', status: 'cancelled', of: ['cancelled'] },
  { key: 'running', label: 'running', status: 'running', of: ['preparing', 'running'] },
  { key: 'queued', label: 'queued', status: 'queued', of: ['queued'] },
];

/** A sweep's counts by part of its progress bar. */
export function progressOf(
  counts: SweepCounts,
): { key: string; label: string; status: RunStatus; n: number }[] {
  return PROGRESS_PARTS.map((p) => ({ ...p, n: p.of.reduce((sum, s) => sum + counts[s], 0) }));
}

/** What a sweep's state badge says and which status colours it borrows. */
export function sweepState(s: SweepSummary): { label: string; tone: RunStatus } {
  if (s.status === 'cancelled') return { label: 'cancelled', tone: 'cancelled' };
  if (s.done) return { label: 'done', tone: 'finished' };
  if (s.status === 'paused') return { label: 'paused', tone: 'interrupted' };
  return { label: 'active', tone: 'running' };
}

/** "grid", "random · 8 trials", with "× 3 seeds" when repeated. */
export function methodText(s: Pick<SweepSummary, 'method' | 'seeds' | 'configurations'>): string {
  const seeds = s.seeds > 1 ? ` × ${s.seeds} seeds` : '';
  return `${s.method} · ${s.configurations} config${s.configurations === 1 ? '' : 's'}${seeds}`;
}

// A sweep report's content as plain-text tables, the same for every human-readable format: the
// Markdown, HTML and LaTeX writers differ only in how they set a table and escape its text.
import { pct, UNKNOWN, utcTime } from '../../../shared/format';
import { RUN_STATUSES } from '../../../shared/training';
import { valueText } from '../../sweeps/expand';
import type { Spread, SweepReportData } from './types';

/** A section's table: column heads and rows of text; `numeric` marks right-aligned columns. */
export interface TextTable {
  head: string[];
  rows: (string | number | null)[][];
  numeric: boolean[];
}

/** A section of the report: a heading, paragraphs under it, and a table (or none). */
export interface TextSection {
  /** A short key for anchors and LaTeX labels: space, base, best, configurations, runs. */
  id: string;
  title: string;
  paragraphs: string[];
  table: TextTable | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A spread as reports write it: "64.8 % ± 1.2 %" (no sd with one value, "–" without any). */
export function spreadText(s: Spread): string {
  if (s.mean === null) return UNKNOWN;
  return s.sd === null ? pct(s.mean) : `${pct(s.mean)} ± ${pct(s.sd)}`;
}

/** The report's title: "Sweep report: lr study (#3)". */
export const sweepTitle = (data: SweepReportData) => `Sweep report: ${data.sweep.name} (#${data.sweep.id})`;

/** The sweep's header as label/value pairs: method, sizes, seeds, early stopping, status, counts. */
export function sweepFacts(data: SweepReportData): [string, string][] {
  const { sweep } = data;
  const spec = sweep.spec;
  const counts = RUN_STATUSES.filter((s) => sweep.counts[s] > 0).map((s) => `${sweep.counts[s]} ${s}`);
  const facts: [string, string][] = [
    ['name', sweep.name],
    ['method', spec.method === 'random' ? `random, ${plural(spec.trials ?? 0, 'trial')}` : 'grid'],
    [
      'size',
      `${plural(data.configurations.length, 'configuration')} x ${plural(spec.seeds ?? 1, 'seed')} = ` +
        `${plural(sweep.counts.total, 'run')}`,
    ],
    ['seed', spec.seed === undefined ? UNKNOWN : String(spec.seed)],
  ];
  if (spec.budget !== undefined) facts.push(['budget', plural(spec.budget, 'run')]);
  facts.push(
    ['early stopping', data.earlyStopping ?? 'none'],
    ['status', `${sweep.status}${sweep.done ? ', done' : ''}`],
    ['runs', counts.length ? `${counts.join(', ')} (${sweep.counts.total} in all)` : 'none'],
    ['created (UTC)', utcTime(sweep.createdAt)],
  );
  return facts;
}

/** The varied settings with their values or distributions. */
export function spaceSection(data: SweepReportData): TextSection {
  const grid = data.sweep.spec.method === 'grid';
  return {
    id: 'space',
    title: 'Search space',
    paragraphs: [
      grid
        ? 'Every combination of these values.'
        : `${plural(data.sweep.spec.trials ?? 0, 'configuration')} drawn from these, reproducible from the sweep's seed.`,
    ],
    table: {
      head: ['setting', 'key', grid ? 'values' : 'drawn'],
      rows: data.space.map((e) => [e.label, e.key, e.text]),
      numeric: [],
    },
  };
}

const settingText = (v: string | number | boolean) => (typeof v === 'number' ? valueText(v) : String(v));

/** The base configuration: its preset and overrides. */
export function baseSection(data: SweepReportData): TextSection {
  const overrides = Object.entries(data.base.overrides);
  return {
    id: 'base',
    title: 'Base configuration',
    paragraphs: [
      `Preset ${data.base.preset}${overrides.length ? ' with these overrides' : ', no overrides'}; ` +
        'each run changes the varied settings and its seed.',
    ],
    table: overrides.length
      ? { head: ['setting', 'value'], rows: overrides.map(([k, v]) => [k, settingText(v)]), numeric: [] }
      : null,
  };
}

/** The best configuration in a sentence. */
export function bestText(data: SweepReportData): string {
  const best = data.best;
  if (!best) return 'No run has a validation accuracy yet.';
  const c = best.configuration;
  const which = `configuration ${c.trial + 1} (${c.label || 'the base configuration'})`;
  return best.by === 'mean'
    ? `By mean best validation accuracy over its seeds: ${which}, ${spreadText(c.valAccuracy)} over ` +
        `${plural(c.valAccuracy.n, 'run')}; test accuracy ${spreadText(c.testAccuracy)}. ` +
        `Its best run is #${best.run.id} (seed ${best.run.seed}): validation ${pct(best.run.bestValAccuracy)}, ` +
        `test ${pct(best.run.testAccuracy)}.`
    : `The best run: #${best.run.id} ${best.run.label}, ${which}: best validation accuracy ` +
        `${pct(best.run.bestValAccuracy)}, test accuracy ${pct(best.run.testAccuracy)}.`;
}

/** The best configuration, and every setting of its best run (varied ones first). */
export function bestSection(data: SweepReportData): TextSection {
  const best = data.best;
  const section: TextSection = {
    id: 'best',
    title: 'Best configuration',
    paragraphs: [bestText(data)],
    table: null,
  };
  if (!best) return section;
  const varied = new Set<string>(data.space.map((e) => e.key));
  // Runs record `model.layers`; the search space says `layers`.
  const isVaried = (k: string) => varied.has(k.split('.').pop()!);
  const keys = Object.keys(best.run.params).sort((a, b) => Number(isVaried(b)) - Number(isVaried(a)));
  section.paragraphs.push(`Every setting of run #${best.run.id} (varied settings first):`);
  section.table = {
    head: ['setting', 'value'],
    rows: keys.map((k) => [`${k}${isVaried(k) ? ' (varied)' : ''}`, settingText(best.run.params[k]!)]),
    numeric: [],
  };
  return section;
}

/** One row per configuration with the spread over its seeds. */
export function configurationsSection(data: SweepReportData): TextSection {
  return {
    id: 'configurations',
    title: 'Configurations',
    paragraphs: ['Mean ± sample standard deviation over the runs of each configuration that have a value.'],
    table: {
      head: ['#', 'configuration', 'runs', 'best val acc (mean ± sd)', 'test acc (mean ± sd)'],
      rows: data.configurations.map((c) => [
        c.trial + 1,
        c.label || UNKNOWN,
        c.runIds.length,
        spreadText(c.valAccuracy),
        spreadText(c.testAccuracy),
      ]),
      numeric: [true, false, true, true, true],
    },
  };
}

/** One row per run with its place, its results and why it ended early. */
export function runsSection(data: SweepReportData): TextSection {
  return {
    id: 'runs',
    title: 'Runs',
    paragraphs: ['Test accuracy of the weights of the epoch with the highest validation accuracy.'],
    table: {
      head: [
        'run',
        'label',
        'config',
        'seed',
        'status',
        'epochs',
        'best val acc',
        'test acc',
        'why it ended early',
      ],
      rows: data.runs.map((r) => [
        `#${r.id}`,
        r.label,
        r.trial + 1,
        r.seed,
        r.status,
        `${r.epochsDone}/${r.epochs}`,
        pct(r.bestValAccuracy),
        pct(r.testAccuracy),
        r.reason ?? '',
      ]),
      numeric: [false, false, true, true, false, true, true, true, false],
    },
  };
}

/** The sections of a sweep report in the order every format shows them. */
export function sweepSections(data: SweepReportData): TextSection[] {
  return [
    spaceSection(data),
    baseSection(data),
    bestSection(data),
    configurationsSection(data),
    runsSection(data),
  ];
}

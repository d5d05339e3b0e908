// A group report's content as plain-text tables, the same for every human-readable format: the
// Markdown, HTML and LaTeX writers differ only in how they set a table and escape its text.
import {
  GROUP_METRICS,
  type GroupComparison,
  type GroupMetric,
  type GroupPair,
} from '../../../shared/group-compare';
import type { ParamValue } from '../../../shared/groups';
import type { Summary } from '../../../shared/stats';
import { BOOTSTRAP_RESAMPLES } from '../../../shared/stats/bootstrap';
import type { TextSection } from '../sweep/tables';
import type { GroupReportData } from './types';

export type { TextSection, TextTable } from '../sweep/tables';

/** The metrics every group's row shows beside the chosen one, as mean ± sd. */
export const MAIN_METRICS: GroupMetric[] = ['testAccuracy', 'bestValAccuracy', 'testLoss', 'seconds'];

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A metric's value as reports write it: "62.0 %" for a share, else with its decimals ("0.412"); "–" without. */
export function metricValue(metric: GroupMetric, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const def = GROUP_METRICS[metric];
  const digits = 'digits' in def ? def.digits : undefined;
  return def.unit === 'share' ? `${(v * 100).toFixed(digits ?? 1)} %` : v.toFixed(digits ?? 3);
}

/** A difference in the metric's unit, signed: "+4.3 points", "-0.021". */
export function diffValue(metric: GroupMetric, v: number): string {
  const def = GROUP_METRICS[metric];
  const share = def.unit === 'share';
  const digits = ('digits' in def ? def.digits : undefined) ?? (share ? 1 : 3);
  const text = Math.abs(share ? v * 100 : v).toFixed(digits);
  const sign = v > 0 ? '+' : v < 0 ? '-' : '';
  return `${sign}${text}${share ? ' points' : ''}`;
}

/** "62.0 % ± 2.0 %" (no sd with one value, "–" without any). */
export function meanSd(metric: GroupMetric, s: Summary): string {
  if (s.mean === null) return '–';
  return s.sd === null
    ? metricValue(metric, s.mean)
    : `${metricValue(metric, s.mean)} ± ${metricValue(metric, s.sd)}`;
}

/** "57.0 % to 67.0 %", or "–" below two values. */
export function ciText(metric: GroupMetric, s: Summary): string {
  return s.ci95 ? `${metricValue(metric, s.ci95[0])} to ${metricValue(metric, s.ci95[1])}` : '–';
}

/** "60.0 % to 64.0 %", or "–" without values. */
export function rangeText(metric: GroupMetric, s: Summary): string {
  return s.min === null ? '–' : `${metricValue(metric, s.min)} to ${metricValue(metric, s.max)}`;
}

/** A p-value as the CLI prints it: three decimals, or "2.0e-5" below 0.001. */
export function pText(p: number): string {
  return p === 0 ? '0' : p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

/** A setting's value in a table: numbers as they are, text as it is, "–" for none. */
export function paramText(v: ParamValue | undefined): string {
  return v === null || v === undefined ? '–' : String(v);
}

/** How the runs were grouped, in words. */
export function groupingText(c: Pick<GroupComparison, 'groupBy'>): string {
  return c.groupBy === 'configuration'
    ? 'configuration (identical except the seed)'
    : c.groupBy === 'sweep'
      ? 'sweep'
      : `setting${c.groupBy.length === 1 ? '' : 's'} ${c.groupBy.join(', ')}`;
}

/** The report's title: "Group report: sweep 3 lr by configuration". */
export function groupTitle(data: GroupReportData): string {
  return `Group report: ${selectionText(data)}, by ${groupingText(data.comparison)}`;
}

/** Which runs the report is of: "sweep 3 (lr)", "runs 1, 2, 3". */
export function selectionText(data: GroupReportData): string {
  const s = data.request.select;
  if ('sweep' in s) return `sweep ${s.sweep}${data.sweepName ? ` (${data.sweepName})` : ''}`;
  const ids = s.runs;
  return ids.length === 1 ? `run ${ids[0]}` : `runs ${ids.join(', ')}`;
}

const testText = (test: 'welch' | 'bootstrap') =>
  test === 'welch'
    ? "Welch's t-test (two-sided)"
    : `bootstrap of the difference of means (${BOOTSTRAP_RESAMPLES.toLocaleString('en-US')} resamples, seed 1)`;

/** The request and what came of it as label/value pairs. */
export function groupFacts(data: GroupReportData): [string, string][] {
  const c = data.comparison;
  const runs = new Set(c.groups.flatMap((g) => g.runs)).size;
  const facts: [string, string][] = [
    ['selection', selectionText(data)],
    ['grouped by', groupingText(c)],
    ['metric', `${GROUP_METRICS[c.metric].label} (${GROUP_METRICS[c.metric].cli})`],
    ['test', testText(c.test)],
    ['groups', `${plural(c.groups.length, 'group')} of ${plural(runs, 'run')}`],
    ['replicates', c.replicates === 'seeds' ? "each group's runs differ only in their seed" : 'any runs'],
    ['varied settings', c.varying.length ? c.varying.join(', ') : 'none'],
  ];
  if (c.missing.length) facts.push(['not found', `run ${c.missing.join(', ')} (deleted?)`]);
  return facts;
}

/** One row per group: the chosen metric's n, mean ± sd, CI and range, and the other main metrics' mean ± sd. */
export function groupsSection(data: GroupReportData): TextSection {
  const c = data.comparison;
  const m = c.metric;
  const label = GROUP_METRICS[m].label;
  const others = MAIN_METRICS.filter((k) => k !== m);
  const without = c.groups.reduce((k, g) => k + g.runs.length - g.metrics[m].n, 0);
  const paragraphs = [
    `Mean ± sample standard deviation of the ${label} over each group's runs that have it (n), the ` +
      "95 % confidence interval of the mean (Student's t) and the range; the other metrics as mean ± sd.",
  ];
  if (without)
    paragraphs.push(
      `${plural(without, 'run')} ${without === 1 ? 'has' : 'have'} no ${label} yet (not counted in n).`,
    );
  return {
    id: 'groups',
    title: 'Groups',
    paragraphs,
    table: {
      head: [
        'group',
        'runs',
        'n',
        `${label} (mean ± sd)`,
        '95 % CI',
        'min to max',
        ...others.map((k) => `${GROUP_METRICS[k].label} (mean ± sd)`),
      ],
      rows: c.groups.map((g) => [
        g.label,
        g.runs.length,
        g.metrics[m].n,
        meanSd(m, g.metrics[m]),
        ciText(m, g.metrics[m]),
        rangeText(m, g.metrics[m]),
        ...others.map((k) => meanSd(k, g.metrics[k])),
      ]),
      numeric: [false, true, true, true, true, true, ...others.map(() => true)],
    },
  };
}

/** The difference, its interval and p of a pair, or dashes when a group has too few runs. */
export function pairCells(metric: GroupMetric, p: GroupPair): [string, string, string] {
  const r = p.result;
  if (r.kind === 'too-few') return ['–', '–', '–'];
  return [
    diffValue(metric, r.diff),
    `${diffValue(metric, r.ci95[0])} to ${diffValue(metric, r.ci95[1])}`,
    pText(r.p),
  ];
}

/** Every pair (or each group against the best) in a sentence and in a table. */
export function pairsSection(data: GroupReportData): TextSection {
  const c = data.comparison;
  const label = new Map(c.groups.map((g) => [g.key, g.label]));
  const against = c.groups.length > 10;
  return {
    id: 'pairs',
    title: against ? 'Each group against the best' : 'Pairs',
    paragraphs: c.pairs.length
      ? c.pairs.map((p) => `${p.sentence}.`)
      : ['One group: there is no pair to compare.'],
    table: c.pairs.length
      ? {
          head: ['A', 'B', 'A - B', '95 % CI of A - B', 'p', 'n'],
          rows: c.pairs.map((p) => [
            label.get(p.a) ?? p.a,
            label.get(p.b) ?? p.b,
            ...pairCells(c.metric, p),
            `${p.result.nA}, ${p.result.nB}`,
          ]),
          numeric: [false, false, true, true, true, true],
        }
      : null,
  };
}

/** How much each varied setting tells about the metric. */
export function importanceSection(data: GroupReportData): TextSection {
  const c = data.comparison;
  const label = GROUP_METRICS[c.metric].label;
  return {
    id: 'importance',
    title: 'Settings and the metric',
    paragraphs: c.importance.length
      ? [
          `Pearson correlation of each varied setting with the ${label} over the runs (categories as their ` +
            'rank by mean), and its share of a random forest\'s impurity decrease ("–": too few runs).',
        ]
      : ['No setting varies among the runs.'],
    table: c.importance.length
      ? {
          head: ['setting', 'correlation', 'random-forest importance'],
          rows: c.importance.map((s) => [
            s.key,
            s.correlation === null ? '–' : s.correlation.toFixed(2),
            s.forest === null ? '–' : `${(s.forest * 100).toFixed(1)} %`,
          ]),
          numeric: [false, true, true],
        }
      : null,
  };
}

/** The notes the runs get wrong most often, with the family each is mistaken for. */
export function hardNotesSection(data: GroupReportData): TextSection {
  const h = data.hardNotes;
  const paragraphs = [
    h.runs.length
      ? `Test notes by the share of the ${plural(h.runs.length, 'run')} with a test evaluation that got ` +
        `them wrong, worst first (${h.notes.length} shown of ${plural(h.total, 'note')}; notes no run got wrong are left out).`
      : 'No selected run has a test evaluation: there are no hard notes to list.',
  ];
  if (h.leftOut.length)
    paragraphs.push(
      `Left out (no test evaluation, or one on another data set): run ${h.leftOut.join(', ')}.`,
    );
  return {
    id: 'hard-notes',
    title: 'Hard notes',
    paragraphs,
    table: h.notes.length
      ? {
          head: ['#', 'note', 'family', 'error rate', 'mistaken for'],
          rows: h.notes.map((n, i) => [
            i + 1,
            n.noteStr,
            n.family,
            `${(n.errorRate * 100).toFixed(0)} % (${n.wrong}/${n.runs})`,
            n.confusedWith === null ? '–' : `${n.confusedWith} (${plural(n.confusedCount, 'run')})`,
          ]),
          numeric: [true, false, false, true, false],
        }
      : null,
  };
}

/** One row per run: its group, the metric and its varied settings. */
export function runsSection(data: GroupReportData): TextSection {
  const c = data.comparison;
  const label = new Map(c.groups.map((g) => [g.key, g.label]));
  return {
    id: 'runs',
    title: 'Runs',
    paragraphs: [`Each run with its group, its ${GROUP_METRICS[c.metric].label} and its varied settings.`],
    table: {
      head: ['run', 'name', 'group', GROUP_METRICS[c.metric].label, ...c.varying],
      rows: c.points.map((p) => [
        `#${p.id}`,
        p.name,
        label.get(p.group) ?? p.group,
        metricValue(c.metric, p.metrics[c.metric]),
        ...c.varying.map((k) => paramText(p.values[k])),
      ]),
      numeric: [false, false, false, true, ...c.varying.map(() => false)],
    },
  };
}

/** The sections of a group report in the order the text formats show them. */
export function groupSections(data: GroupReportData): TextSection[] {
  return [
    groupsSection(data),
    pairsSection(data),
    importanceSection(data),
    hardNotesSection(data),
    runsSection(data),
  ];
}

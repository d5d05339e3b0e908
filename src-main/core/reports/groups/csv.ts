import { GROUP_METRIC_KEYS, GROUP_METRICS } from '../../../shared/group-compare';
import { CSV_TABLES, csvTablePaths, csvText } from '../csv';
import type { RenderedFile } from '../types';
import type { GroupReportData } from './types';

/**
 * A report of groups as four CSV tables named after `out`: FILE-runs.csv (each run's group, every
 * metric and its varied settings), FILE-groups.csv (the chosen metric's n, mean, sd, 95 % CI and
 * range per group, and every other metric's n, mean and sd), FILE-pairs.csv (each pair's difference,
 * interval, p and sentence) and FILE-hard-notes.csv.
 */
export function groupCsv(data: GroupReportData, out: string): RenderedFile[] {
  const c = data.comparison;
  const m = c.metric;
  const cli = (k: keyof typeof GROUP_METRICS) => GROUP_METRICS[k].cli;
  const labels = new Map(c.groups.map((g) => [g.key, g.label]));
  const runs = csvText(
    ['run_id', 'name', 'group', ...GROUP_METRIC_KEYS.map(cli), ...c.varying],
    c.points.map((p) => [
      p.id,
      p.name,
      labels.get(p.group) ?? p.group,
      ...GROUP_METRIC_KEYS.map((k) => p.metrics[k]),
      ...c.varying.map((k) => p.values[k]),
    ]),
  );
  const others = GROUP_METRIC_KEYS.filter((k) => k !== m);
  const groups = csvText(
    [
      'group',
      'runs',
      'run_ids',
      ...['n', 'mean', 'sd', 'ci95_low', 'ci95_high', 'min', 'max'].map((s) => `${cli(m)}_${s}`),
      ...others.flatMap((k) => ['n', 'mean', 'sd'].map((s) => `${cli(k)}_${s}`)),
    ],
    c.groups.map((g) => {
      const s = g.metrics[m];
      return [
        g.label,
        g.runs.length,
        g.runs.join(';'),
        s.n,
        s.mean,
        s.sd,
        s.ci95?.[0],
        s.ci95?.[1],
        s.min,
        s.max,
        ...others.flatMap((k) => [g.metrics[k].n, g.metrics[k].mean, g.metrics[k].sd]),
      ];
    }),
  );
  const pairs = csvText(
    ['a', 'b', 'metric', 'test', 'n_a', 'n_b', 'diff', 'ci95_low', 'ci95_high', 'p', 'df', 'sentence'],
    c.pairs.map((p) => {
      const r = p.result;
      const tested = r.kind === 'too-few' ? null : r;
      return [
        labels.get(p.a) ?? p.a,
        labels.get(p.b) ?? p.b,
        cli(m),
        c.test,
        r.nA,
        r.nB,
        tested?.diff,
        tested?.ci95[0],
        tested?.ci95[1],
        tested?.p,
        r.kind === 'welch' ? r.df : null,
        p.sentence,
      ];
    }),
  );
  const notes = csvText(
    ['rank', 'note_str', 'family', 'runs', 'wrong', 'error_rate', 'mistaken_for', 'mistaken_runs'],
    data.hardNotes.notes.map((n, i) => [
      i + 1,
      n.noteStr,
      n.family,
      n.runs,
      n.wrong,
      n.errorRate,
      n.confusedWith,
      n.confusedCount,
    ]),
  );
  const paths = csvTablePaths(out, CSV_TABLES.groups);
  return [
    { path: paths.runs, content: runs },
    { path: paths.groups, content: groups },
    { path: paths.pairs, content: pairs },
    { path: paths['hard-notes'], content: notes },
  ];
}

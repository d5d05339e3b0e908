import { GROUP_METRICS, type GroupComparison, type GroupMetric } from '../shared/group-compare';
import type { Summary } from '../shared/stats';
import { alignedTable } from './format-runs';

/** A metric's value as the CLI prints it: percent for a share, else a plain number. */
function valueText(metric: GroupMetric, v: number | null): string {
  if (v === null) return '—';
  const def = GROUP_METRICS[metric];
  const digits = 'digits' in def ? def.digits : undefined;
  return def.unit === 'share' ? `${(v * 100).toFixed(digits ?? 1)} %` : v.toFixed(digits ?? 3);
}

function spreadText(metric: GroupMetric, s: Summary): string {
  if (s.mean === null) return '—';
  return s.sd === null
    ? valueText(metric, s.mean)
    : `${valueText(metric, s.mean)} ± ${valueText(metric, s.sd)}`;
}

function ciText(metric: GroupMetric, s: Summary): string {
  return s.ci95 ? `${valueText(metric, s.ci95[0])} to ${valueText(metric, s.ci95[1])}` : '—';
}

/** `timbre runs compare --group-by`: each group's n, mean ± sd and CI of the metric, then every pair in a sentence. */
export function describeGroups(c: GroupComparison): string {
  const m = c.metric;
  const label = GROUP_METRICS[m].label;
  const by =
    c.groupBy === 'configuration'
      ? 'configuration (identical except the seed)'
      : c.groupBy === 'sweep'
        ? 'sweep'
        : c.groupBy.join(', ');
  const rows = c.groups.map((g) => {
    const s = g.metrics[m];
    return [
      g.label,
      g.runs.length,
      s.n,
      spreadText(m, s),
      ciText(m, s),
      s.min === null ? '—' : `${valueText(m, s.min)} to ${valueText(m, s.max)}`,
    ];
  });
  const lines = [
    `${c.groups.length} group${c.groups.length === 1 ? '' : 's'} by ${by}; ${label}, ${c.test === 'welch' ? "Welch's t-test" : 'bootstrap'}:`,
    '',
    alignedTable(['Group', 'Runs', 'n', 'Mean ± sd', '95 % CI', 'Min to max'], rows),
  ];
  const without = c.groups.reduce((k, g) => k + g.runs.length - g.metrics[m].n, 0);
  if (without)
    lines.push('', `${without} run${without === 1 ? ' has' : 's have'} no ${label} yet (not counted in n).`);
  if (c.missing.length) lines.push('', `No run ${c.missing.join(', ')} (deleted?).`);
  if (c.pairs.length) {
    lines.push('', c.groups.length > 10 ? 'Each group against the best:' : 'Pairs:');
    for (const p of c.pairs) {
      const r = p.result;
      lines.push(
        `  ${p.sentence}${r.kind === 'too-few' ? '' : ` (p = ${r.p < 0.001 ? r.p.toExponential(1) : r.p.toFixed(3)})`}`,
      );
    }
  }
  return lines.join('\n');
}

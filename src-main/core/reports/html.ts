import { humanDuration, pct, UNKNOWN, utcTime } from '../../shared/format';
import { describeFeatures, describeModel, describeOptimizer } from './describe';
import { escapeHtml as esc, runLabel, table, td } from './html-parts';
import { runSection } from './html-run';
import { REPORT_CSS } from './html-style';
import { lineChartSvg, type ChartSeries } from './svg-chart';
import type { ReportData } from './types';

/**
 * The report as one self-contained HTML page: inline CSS, charts as inline SVG, example clips as
 * data: URIs, no scripts and nothing fetched (a Content-Security-Policy forbids it). Opens offline
 * in any browser; prints (and the Electron window's printToPDF renders) through its print CSS.
 */
export function reportHtml(data: ReportData): string {
  const names = data.runs.map((r) => `#${r.detail.id} ${r.detail.name}`);
  return htmlPage({
    title: `Timbre report: ${names.join(', ')}`,
    appVersion: data.appVersion,
    generatedAt: data.generatedAt,
    body: [
      '<header>',
      `<h1>Training report: ${data.runs.length} run${data.runs.length === 1 ? '' : 's'}</h1>`,
      `<p class="muted">${names.map(esc).join(' · ')}</p>`,
      '</header>',
      summarySection(data),
      paramsSection(data),
      curvesSection(data),
      ...data.runs.map(runSection),
    ],
  });
}

/**
 * A self-contained report page around ready-made body HTML: the report's stylesheet, a
 * Content-Security-Policy that allows nothing to be fetched or run, and the footer. `title` is text.
 */
export function htmlPage(page: {
  title: string;
  appVersion: string;
  generatedAt: string;
  body: string[];
}): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src data:">`,
    `<meta name="generator" content="Timbre Workbench ${esc(page.appVersion)}">`,
    `<title>${esc(page.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    ...page.body,
    `<footer>Written by Timbre Workbench ${esc(page.appVersion)} on ${esc(page.generatedAt)}. ` +
      'This file is self-contained: it needs no network and no other file.</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function summarySection(data: ReportData): string {
  const head = [
    'run',
    'model',
    'features',
    'optimizer',
    'status',
    'epochs',
    'best val acc',
    'test acc (best)',
    'test acc (last)',
    'duration',
  ];
  const rows = data.runs.map((r) => {
    const d = r.detail;
    const m = r.metrics;
    return [
      `<th class="name">${runLabel(r)}</th>`,
      td(esc(describeModel(d))),
      td(esc(describeFeatures(d.config.features))),
      td(esc(describeOptimizer(d))),
      td(esc(d.status) + (d.error ? ' <span class="error">(see below)</span>' : '')),
      td(`${d.epochsDone}/${d.epochs}${d.bestEpoch === null ? '' : `, best ${d.bestEpoch}`}`, true),
      td(pct(m.bestValAccuracy), true),
      td(pct(m.testAccuracyBest), true),
      td(pct(m.testAccuracyLast), true),
      td(humanDuration(m.seconds), true),
    ];
  });
  const provenance = data.runs.map((r) => {
    const d = r.detail;
    return [
      `<th class="name">${runLabel(r)}</th>`,
      td(esc(d.backend ?? UNKNOWN)),
      td(esc(d.backendVersion ?? UNKNOWN)),
      td(esc(d.appVersion)),
      td(
        `<code title="${esc(d.datasetFingerprint)}">${esc(d.datasetFingerprint.slice(0, 16))}</code>` +
          (d.datasetId === null ? ' <span class="muted">(deleted)</span>' : ''),
      ),
      td(d.seed, true),
      td(esc(utcTime(d.startedAt))),
    ];
  });
  return (
    '<section id="summary"><h2>Runs</h2>' +
    '<p class="muted">Test accuracy of the best weights (highest validation accuracy) and of the last epoch\'s.</p>' +
    table(head, rows, [false, false, false, false, false, true, true, true, true, true]) +
    '<h3>Provenance</h3>' +
    table(
      ['run', 'backend', 'backend version', 'app', 'data set fingerprint', 'seed', 'started (UTC)'],
      provenance,
      [false, false, false, false, false, true, false],
    ) +
    '</section>'
  );
}

function paramsSection(data: ReportData): string {
  const { comparison, runs } = data;
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.detail.params)))].sort();
  const differing = keys.filter((k) => k in comparison.differing);
  const order = [...differing, ...keys.filter((k) => !(k in comparison.differing))];
  const rows = order.map((k) => {
    const diff = k in comparison.differing;
    const cells = runs.map((r) => {
      const v = r.detail.params[k];
      return td(v === undefined ? UNKNOWN : esc(String(v)), typeof v === 'number');
    });
    return [`<th>${diff ? '<span class="mark" title="differs">≠</span> ' : ''}${esc(k)}</th>`, ...cells];
  });
  const note =
    runs.length < 2
      ? 'One run: nothing to compare.'
      : differing.length
        ? `${differing.length} parameter${differing.length === 1 ? ' differs' : 's differ'} (marked ≠, listed first); ${comparison.same} ${comparison.same === 1 ? 'is' : 'are'} the same.`
        : `All ${comparison.same} parameters are the same.`;
  const html = table(['parameter', ...runs.map(runLabel)], rows, [], (i) =>
    i < differing.length ? 'diff' : '',
  );
  return `<section id="parameters"><h2>Hyperparameters</h2><p class="muted">${note}</p>${html}</section>`;
}

function curvesSection(data: ReportData): string {
  const series = (metric: 'Loss' | 'Accuracy'): ChartSeries[] =>
    data.runs.flatMap((r) => {
      const h = r.detail.history;
      const train = h.map((e) => ({ x: e.epoch, y: metric === 'Loss' ? e.trainLoss : e.trainAccuracy }));
      const val = h
        .map((e) => ({ x: e.epoch, y: (metric === 'Loss' ? e.valLoss : e.valAccuracy) ?? NaN }))
        .filter((p) => Number.isFinite(p.y));
      const name = `#${r.detail.id} ${r.detail.name}`;
      return [
        { label: `${name}, train ${metric.toLowerCase()}`, color: r.color, points: train },
        { label: `${name}, validation ${metric.toLowerCase()}`, color: r.color, dashed: true, points: val },
      ];
    });
  const loss = lineChartSvg({
    title: 'Loss per epoch',
    xLabel: 'epoch',
    series: series('Loss'),
    yFormat: (y) => String(Number(y.toPrecision(3))),
  });
  const acc = lineChartSvg({
    title: 'Accuracy per epoch',
    xLabel: 'epoch',
    series: series('Accuracy'),
    yRange: [0, 1],
    yFormat: (y) => pct(y, 0),
  });
  const line = (dashed: boolean) =>
    `<svg width="28" height="10" aria-hidden="true"><line x1="1" y1="5" x2="27" y2="5" stroke="currentColor" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}/></svg>`;
  const legend =
    '<div class="legend">' +
    data.runs.map((r) => `<span>${runLabel(r)}</span>`).join('') +
    `<span class="muted">${line(false)}train</span><span class="muted">${line(true)}validation</span>` +
    '</div>';
  return `<section id="curves"><h2>Training curves</h2>${legend}<div class="charts"><figure>${loss}</figure><figure>${acc}</figure></div></section>`;
}

import { RUN_COLORS } from '../../../shared/constants';
import { GROUP_METRICS } from '../../../shared/group-compare';
import { pct, secondsText } from '../../../shared/format';
import { htmlPage } from '../html';
import { escapeHtml as esc, familyLabel, table, td } from '../html-parts';
import { sectionHtml } from '../sweep/html';
import { lineChartSvg, type ChartSeries } from '../svg-chart';
import { parallelSvg } from './parallel-svg';
import {
  groupFacts,
  groupsSection,
  groupTitle,
  hardNotesSection,
  importanceSection,
  pairsSection,
  runsSection,
  selectionText,
} from './tables';
import type { GroupReportData } from './types';

const groupColor = (i: number) => RUN_COLORS[i % RUN_COLORS.length]!;

/**
 * A report of groups as one self-contained HTML page in the look of the runs' report: the request,
 * the groups with mean ± sd and CI, every pair in a sentence, the parallel coordinates and the
 * curves as inline SVG, the settings' importance, and the hard notes with their recordings playable.
 */
export function groupHtml(data: GroupReportData): string {
  const facts = groupFacts(data).map(([k, v]) => [`<th>${esc(k)}</th>`, td(esc(v))]);
  return htmlPage({
    title: groupTitle(data),
    appVersion: data.appVersion,
    generatedAt: data.generatedAt,
    body: [
      '<header>',
      `<h1>${esc(groupTitle(data))}</h1>`,
      `<p class="muted">${esc(headline(data))}</p>`,
      '</header>',
      `<section id="request"><h2>Request</h2>${table(['', ''], facts)}</section>`,
      sectionHtml(groupsSection(data)),
      pairsHtml(data),
      parallelHtml(data),
      curvesHtml(data),
      sectionHtml(importanceSection(data)),
      hardNotesHtml(data),
      sectionHtml(runsSection(data)),
    ],
  });
}

// The header's line: the first pair's sentence, or what was selected.
function headline(data: GroupReportData): string {
  const first = data.comparison.pairs[0];
  const n = data.comparison.groups.length;
  return first ? `${first.sentence}.` : `${selectionText(data)}: ${n} group${n === 1 ? '' : 's'}.`;
}

function pairsHtml(data: GroupReportData): string {
  const s = pairsSection(data);
  const sentences = data.comparison.pairs.length
    ? `<ul class="sentences">${s.paragraphs.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`
    : `<p class="muted">${esc(s.paragraphs[0] ?? '')}</p>`;
  const body = s.table
    ? table(
        s.table.head.map(esc),
        s.table.rows.map((row) => row.map((c, i) => td(esc(String(c ?? '')), s.table!.numeric[i] === true))),
        s.table.numeric,
      )
    : '';
  return `<section id="pairs"><h2>${esc(s.title)}</h2>${sentences}${body}</section>`;
}

function parallelHtml(data: GroupReportData): string {
  const c = data.comparison;
  const def = GROUP_METRICS[c.metric];
  if (!c.points.length)
    return '<section id="parallel"><h2>Parallel coordinates</h2><p class="muted">No runs.</p></section>';
  return (
    '<section id="parallel"><h2>Parallel coordinates</h2>' +
    `<p class="muted">One axis per varied setting and one for the ${esc(def.label)}; a line per run, ` +
    `coloured by the ${esc(def.label)} (dark: ${def.higherIsBetter ? 'highest' : 'lowest'}; grey dashed: none yet). ` +
    'Numeric axes are linear, or log when their values span more than two decades; categories are evenly spaced.</p>' +
    `<figure class="wide">${parallelSvg(c)}</figure></section>`
  );
}

function curvesHtml(data: GroupReportData): string {
  const head = '<section id="curves"><h2>Validation accuracy per epoch</h2>';
  if (!data.curves) return `${head}<p class="muted">${esc(data.curvesSkipped ?? '')}</p></section>`;
  const groups = data.comparison.groups;
  const series: ChartSeries[] = data.curves.map((curve, i) => ({
    label: groups[i]?.label ?? `group ${i + 1}`,
    color: groupColor(i),
    points: curve.points.map((p) => ({ x: p.epoch, y: p.mean })),
    band: curve.points
      .filter((p) => p.sd !== null)
      .map((p) => ({ x: p.epoch, lo: p.mean - p.sd!, hi: p.mean + p.sd! })),
  }));
  const chart = lineChartSvg({
    title: 'Validation accuracy: mean of each group, band ± sd',
    xLabel: 'epoch',
    series,
    yRange: [0, 1],
    yFormat: (y) => pct(y, 0),
  });
  const legend =
    '<div class="legend">' +
    groups
      .map(
        (g, i) => `<span><span class="sw" style="background:${groupColor(i)}"></span>${esc(g.label)}</span>`,
      )
      .join('') +
    '</div>';
  return `${head}${legend}<div class="charts"><figure>${chart}</figure></div></section>`;
}

function hardNotesHtml(data: GroupReportData): string {
  const s = hardNotesSection(data);
  const paragraphs = s.paragraphs.map((p) => `<p class="muted">${esc(p)}</p>`);
  const h = data.hardNotes;
  if (!h.notes.length)
    return `<section id="hard-notes"><h2>${esc(s.title)}</h2>${paragraphs.join('')}</section>`;
  const clips = data.clips;
  const reasons = new Set((clips ?? []).filter((c) => !c.wav).map((c) => c.missing ?? ''));
  // One reason for every note (the data set's files are gone): said once, not on each row.
  const allMissing = clips !== null && clips.length > 0 && clips.every((c) => !c.wav) && reasons.size === 1;
  if (allMissing)
    paragraphs.push(`<p class="error">No recording can be played: ${esc([...reasons][0]!)}</p>`);
  const rows = h.notes.map((n, i) => {
    const clip = clips?.[i];
    const audio = clip?.wav
      ? `<audio controls preload="none" src="data:audio/wav;base64,${clip.wav.toString('base64')}"></audio>` +
        ` <span class="muted">${secondsText(clip.seconds ?? 0)} s</span>`
      : clip?.missing && !allMissing
        ? `<span class="muted">(no audio: ${esc(clip.missing)})</span>`
        : '';
    return [
      td(i + 1, true),
      td(`<code>${esc(n.noteStr)}</code>`),
      td(familyLabel(n.family)),
      td(`${(n.errorRate * 100).toFixed(0)} % (${n.wrong}/${n.runs})`, true),
      td(
        n.confusedWith === null
          ? '–'
          : `${familyLabel(n.confusedWith)} (${n.confusedCount} run${n.confusedCount === 1 ? '' : 's'})`,
      ),
      ...(clips ? [td(audio)] : []),
    ];
  });
  const head = ['#', 'note', 'family', 'error rate', 'mistaken for', ...(clips ? ['listen'] : [])];
  return (
    `<section id="hard-notes"><h2>${esc(s.title)}</h2>${paragraphs.join('')}` +
    `${table(head, rows, [true, false, false, true, false, false])}</section>`
  );
}

import { fixed, pct, secondsText } from '../../shared/format';
import type { ClassMetrics } from '../../shared/training';
import { embeddingFigure } from './html-embedding';
import { escapeHtml as esc, familyLabel, table, td } from './html-parts';
import type { ReportEvaluation, ReportRun, TopConfusion } from './types';

function evaluationTitle(e: ReportEvaluation): string {
  const epoch = e.epoch === null ? '' : ` of epoch ${e.epoch}`;
  return `${e.split} split, ${e.weights} weights${epoch}: accuracy ${pct(e.accuracy)}, loss ${fixed(e.loss)}`;
}

/** A run's section: notes, its main evaluation's confusion matrix, per-family metrics and top confusions. */
export function runSection(r: ReportRun): string {
  const d = r.detail;
  const parts = [
    `<section class="run" id="run-${d.id}">`,
    `<h2><span class="runbar" style="background:${r.color}"></span>Run #${d.id}: ${esc(d.name)}</h2>`,
  ];
  if (d.error) parts.push(`<p class="error">${esc(d.error)}</p>`);
  if (d.tags.length) parts.push(`<p class="muted">tags: ${d.tags.map(esc).join(', ')}</p>`);
  if (d.notes) parts.push(`<p>${esc(d.notes).replace(/\n/g, '<br>')}</p>`);
  const e = r.focus;
  if (!e) {
    parts.push(`<p class="muted">No evaluation recorded yet (the run is ${esc(d.status)}).</p></section>`);
    return parts.join('\n');
  }
  const others = r.evaluations.filter((o) => o !== e).map((o) => `<li>${esc(evaluationTitle(o))}</li>`);
  parts.push(
    `<p><strong>${esc(evaluationTitle(e))}</strong></p>`,
    others.length ? `<p class="muted">Other evaluations:</p><ul class="muted">${others.join('')}</ul>` : '',
    '<div class="panels">',
    `<div><h3>Confusion matrix</h3><p class="muted">Rows: true family; columns: predicted. Shade: share of the row.</p>${confusionTable(e)}</div>`,
    `<div><h3>Per family</h3>${perClassTable(e)}</div>`,
    '</div>',
    `<h3>Most frequent confusions</h3>${confusionList(r.confusions, e)}`,
    r.embeddingMap ? `<h3>Embedding map</h3>${embeddingFigure(r.embeddingMap)}` : '',
    '</section>',
  );
  return parts.join('\n');
}

/** Families a matrix shows: those with a note or a prediction. */
function visibleFamilies(e: ReportEvaluation): number[] {
  return e.labels
    .map((_, i) => i)
    .filter((i) => (e.confusion[i] ?? []).some((v) => v > 0) || e.confusion.some((row) => (row[i] ?? 0) > 0));
}

function confusionTable(e: ReportEvaluation): string {
  const shown = visibleFamilies(e);
  const head =
    '<tr><th class="corner">true \\ predicted</th>' +
    shown
      .map(
        (j) => `<th class="col" title="${esc(e.labels[j]!)}"><span>${familyLabel(e.labels[j]!)}</span></th>`,
      )
      .join('') +
    '<th class="col n"><span>notes</span></th></tr>';
  const rows = shown.map((i) => {
    const row = e.confusion[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    const cells = shown.map((j) => {
      const count = row[j] ?? 0;
      const share = total ? count / total : 0;
      const cls = ['cell', i === j ? 'diag' : '', count === 0 ? 'zero' : '', share > 0.55 ? 'hi' : '']
        .filter(Boolean)
        .join(' ');
      const shade = count
        ? ` style="background:rgb(var(--${i === j ? 'diag' : 'off'}) / ${share.toFixed(3)})"`
        : '';
      const tip = `${count} ${e.labels[i]} note${count === 1 ? '' : 's'} predicted as ${e.labels[j]}${total ? ` (${pct(share, 0)})` : ''}`;
      return `<td class="${cls}"${shade} title="${esc(tip)}">${count}</td>`;
    });
    return `<tr${total ? '' : ' class="absent"'}><th>${familyLabel(e.labels[i]!)}</th>${cells.join('')}<td class="n">${total}</td></tr>`;
  });
  return `<div class="scroll"><table class="cm"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function perClassTable(e: ReportEvaluation): string {
  const shown = new Set(visibleFamilies(e).map((i) => e.labels[i]));
  const classes = e.perClass.filter((m) => shown.has(m.label));
  const supported = classes.filter((m) => m.support > 0);
  const mean = (f: (m: ClassMetrics) => number) =>
    supported.length ? supported.reduce((a, m) => a + f(m), 0) / supported.length : null;
  const rows = classes.map((m) => [
    `<th>${familyLabel(m.label)}</th>`,
    td(fixed(m.precision, 3), true),
    td(fixed(m.recall, 3), true),
    td(fixed(m.f1, 3), true),
    td(m.support, true),
  ]);
  rows.push([
    '<th>macro average</th>',
    td(
      fixed(
        mean((m) => m.precision),
        3,
      ),
      true,
    ),
    td(
      fixed(
        mean((m) => m.recall),
        3,
      ),
      true,
    ),
    td(
      fixed(
        mean((m) => m.f1),
        3,
      ),
      true,
    ),
    td(
      supported.reduce((a, m) => a + m.support, 0),
      true,
    ),
  ]);
  return table(['family', 'precision', 'recall', 'F1', 'support'], rows, [false, true, true, true, true]);
}

function confusionList(confusions: TopConfusion[], e: ReportEvaluation): string {
  if (!confusions.length)
    return `<p class="muted">No note of the ${esc(e.split)} split was misclassified.</p>`;
  const items = confusions.map((c) => {
    const examples = c.examples.map((x) => {
      const player = x.wav
        ? `<audio controls preload="metadata" src="data:audio/wav;base64,${x.wav.toString('base64')}"></audio>`
        : '';
      const clip = x.clip
        ? `<span class="muted">${secondsText(x.clip.start)}-${secondsText(x.clip.start + x.clip.seconds)} s</span>`
        : x.missing
          ? `<span class="muted">(no audio: ${esc(x.missing)})</span>`
          : '';
      return `<li>${player}<code>${esc(x.noteStr)}</code><span>${esc(c.trueLabel)} → ${esc(c.predictedLabel)}, confidence ${x.confidence.toFixed(2)}</span>${clip}</li>`;
    });
    return (
      `<li><strong>${familyLabel(c.trueLabel)} → ${familyLabel(c.predictedLabel)}</strong>: ` +
      `${c.count} note${c.count === 1 ? '' : 's'} (${pct(c.rowShare, 0)} of ${esc(c.trueLabel)})` +
      `<ul class="examples">${examples.join('')}</ul></li>`
    );
  });
  return `<ol class="confusions">${items.join('')}</ol>`;
}

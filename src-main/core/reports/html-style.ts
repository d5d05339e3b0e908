/** The report's stylesheet: light and dark from the system, and a print layout. */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1d1f23; --muted: #69707a; --line: #d9dce1; --panel: #f5f6f8;
  --diff: #fff1c7; --off: 213 94 0; --diag: 0 114 178;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #16181c; --fg: #e4e6ea; --muted: #9aa1ab; --line: #343840; --panel: #1f2227;
    --diff: #40381c; --off: 238 119 51; --diag: 68 153 221;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0 auto; max-width: 1240px; padding: 24px 28px 48px;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  background: var(--bg); color: var(--fg);
}
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 8px; }
p { margin: 6px 0; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.muted { color: var(--muted); fill: var(--muted); }
.error { color: rgb(var(--off)); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 4px 0 8px; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--line); font-weight: 600; white-space: nowrap; }
.n { text-align: right; white-space: nowrap; }
th.name { white-space: nowrap; }
tr.diff td, tr.diff th { background: var(--diff); }
.mark { font-weight: 700; color: rgb(var(--off)); }
.sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.runbar { display: inline-block; width: 6px; height: 1em; margin-right: 8px; vertical-align: -2px; border-radius: 2px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.charts figure { margin: 0; flex: 1 1 420px; max-width: 600px; }
svg.chart { width: 100%; height: auto; display: block; font-size: 11px; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .tick, svg.chart .axis-label { fill: var(--muted); }
svg.chart .chart-title { fill: var(--fg); font-size: 13px; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 6px 0; font-size: 13px; }
.legend svg { vertical-align: middle; margin-right: 4px; }
.panels { display: flex; flex-wrap: wrap; gap: 8px 32px; align-items: flex-start; }
table.cm { font-size: 12px; }
table.cm td, table.cm th { border: 1px solid var(--line); padding: 2px 4px; }
table.cm td.cell { min-width: 2.4em; text-align: center; }
table.cm td.zero { color: var(--muted); opacity: 0.55; }
table.cm td.hi { color: #ffffff; }
table.cm td.diag { outline: 2px solid rgb(var(--diag)); outline-offset: -2px; font-weight: 700; }
table.cm th.col { vertical-align: bottom; padding: 4px 2px; }
table.cm th.col span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.cm th.corner { font-weight: 400; color: var(--muted); font-size: 11px; vertical-align: bottom; }
table.cm tr.absent th, table.cm tr.absent td { opacity: 0.6; }
ol.confusions { padding-left: 22px; }
ol.confusions > li { margin: 10px 0; }
ul.examples { list-style: none; padding: 0; margin: 4px 0; }
ul.examples li { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; margin: 3px 0; }
ul.examples audio { height: 30px; width: 240px; }
figure.wide { margin: 0; max-width: 100%; }
ul.sentences { padding-left: 20px; }
ul.sentences li { margin: 4px 0; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  :root {
    --bg: #ffffff; --fg: #000000; --muted: #555b63; --line: #c9cdd3; --panel: #f5f6f8;
    --diff: #fff1c7; --off: 213 94 0; --diag: 0 114 178;
  }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 5px; }
  thead th, thead th.n, th.name { white-space: normal; }
  audio { display: none; }
  .scroll { overflow: visible; }
  h2 { break-after: avoid; }
  table, figure, ol.confusions > li { break-inside: avoid; }
  section.run { break-before: page; }
  .charts figure { max-width: 48%; }
}
`;

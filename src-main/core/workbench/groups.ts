import {
  MAX_CURVE_GROUPS,
  MAX_CURVE_RUNS,
  MAX_GROUPED_RUNS,
  MAX_HARD_NOTES,
  type CurveMetric,
  type GroupComparison,
  type GroupCurve,
  type GroupMatrix,
  type GroupRequest,
  type HardNotes,
  type NoteAcrossRuns,
  type RunSelection,
} from '../../shared/group-compare';
import { groupByConfiguration } from '../../shared/groups';
import { errorKind } from '../errors';
import { compareGroupsOf, type GroupedRun } from '../groups/compare';
import { curvesOf } from '../groups/curves';
import { meanMatrixOf } from '../groups/matrices';
import { metricsOf } from '../groups/metrics';
import { confidenceOf, evaluationsToRead, familyName, hardNotesOf } from '../groups/notes';
import { GroupQueries } from '../store/group-queries';
import { NotFoundError, type Home } from './home';

/** A selection or grouping of runs that cannot be compared as asked. */
export const GroupArgumentError = errorKind('GroupArgumentError', 'bad-argument');

const unique = (ids: readonly number[]) => [...new Set(ids)];

/** The Workbench's comparisons of groups of runs (issue 13): statistics, curves, matrices, hard notes. */
export class WorkbenchGroups {
  private readonly queries: GroupQueries;

  constructor(private readonly home: Home) {
    this.queries = new GroupQueries(home.db);
  }

  /** Groups the selected runs and compares them. */
  compare(request: GroupRequest): GroupComparison {
    const { ids, missing } = this.selected(request.select);
    const runs = this.grouped(ids);
    const names = new Map(this.home.sweeps.list().map((s) => [s.id, s.name]));
    return compareGroupsOf(runs, request, names, missing);
  }

  /** Each group's curve of a per-epoch metric, with or without each run's own series. */
  curves(groups: number[][], metric: CurveMetric, runs = true): GroupCurve[] {
    const ids = unique(groups.flat());
    if (groups.length > MAX_CURVE_GROUPS || ids.length > MAX_CURVE_RUNS)
      throw new GroupArgumentError(
        `A chart of curves shows at most ${MAX_CURVE_GROUPS} groups and ${MAX_CURVE_RUNS} runs ` +
          `(asked: ${groups.length} groups, ${ids.length} runs).`,
      );
    const curves = curvesOf(groups, this.queries.series(ids, metric));
    return runs ? curves : curves.map((c) => ({ ...c, runs: [] }));
  }

  /** Each group's mean confusion matrix (null for a group without any). */
  matrices(groups: number[][]): (GroupMatrix | null)[] {
    const ids = unique(groups.flat());
    this.limit(ids.length);
    const tests = new Map(this.queries.testMatrices(ids).map((t) => [t.runId, t]));
    const validations = new Map(this.queries.validationMatrices(ids).map((v) => [v.runId, v.matrix]));
    return groups.map((g) => meanMatrixOf(g, tests, validations));
  }

  /** The test notes the selected runs get wrong most often. */
  hardNotes(select: RunSelection, limit = 200): HardNotes {
    const { ids } = this.selected(select);
    const { datasetId, read, leftOut } = evaluationsToRead(ids, this.queries.testEvaluations(ids));
    const tallies = read.length ? this.queries.tallies(read.map((e) => e.id)) : [];
    return hardNotesOf(tallies, read, leftOut, datasetId, Math.min(limit, MAX_HARD_NOTES));
  }

  /** One test note across the selected runs: what each predicted, and its configuration. */
  noteAcross(select: RunSelection, noteStr: string): NoteAcrossRuns {
    const { ids } = this.selected(select);
    const { read } = evaluationsToRead(ids, this.queries.testEvaluations(ids));
    const runOf = new Map(read.map((e) => [e.id, e.runId]));
    const rows = this.queries.note(noteStr, [...runOf.keys()]);
    if (!rows.length)
      throw new NotFoundError(`No test evaluation of the selected runs has the note "${noteStr}".`);
    const runs = this.grouped(rows.map((r) => runOf.get(r.evaluationId)!));
    const label = new Map(
      groupByConfiguration(runs).flatMap((g) => g.runs.map((r) => [r.id, g.label] as const)),
    );
    const byId = new Map(runs.map((r) => [r.id, r]));
    return {
      noteStr,
      family: familyName(rows[0]!.trueFamily),
      runs: rows
        .map((r) => {
          const id = runOf.get(r.evaluationId)!;
          return {
            id,
            name: byId.get(id)?.summary.name ?? `run ${id}`,
            group: label.get(id) ?? '',
            predicted: familyName(r.predicted),
            correct: r.predicted === r.trueFamily,
            confidence: confidenceOf(r.probabilities, r.predicted),
          };
        })
        .sort((a, b) => a.id - b.id),
    };
  }

  /** The runs of a selection that exist, and the ids asked for that do not. */
  private selected(select: RunSelection): { ids: number[]; missing: number[] } {
    if ('sweep' in select) {
      if (!this.home.sweeps.get(select.sweep))
        throw new NotFoundError(`No sweep ${select.sweep}. \`timbre sweep list\` shows them.`);
      const ids = this.home.runs.listOfSweep(select.sweep).map((r) => r.id);
      this.limit(ids.length);
      return { ids: ids.sort((a, b) => a - b), missing: [] };
    }
    const asked = unique(select.runs);
    this.limit(asked.length);
    if (!asked.length) throw new GroupArgumentError('Select at least one run to compare.');
    const found = new Set(this.queries.summaries(asked).map((r) => r.id));
    if (!found.size) throw new NotFoundError(`None of runs ${asked.slice(0, 10).join(', ')} exists.`);
    return { ids: asked.filter((id) => found.has(id)), missing: asked.filter((id) => !found.has(id)) };
  }

  private limit(n: number): void {
    if (n > MAX_GROUPED_RUNS)
      throw new GroupArgumentError(
        `At most ${MAX_GROUPED_RUNS.toLocaleString('en-US')} runs can be compared at once (${n} selected).`,
      );
  }

  /** The runs with their settings and metrics. */
  private grouped(ids: readonly number[]): GroupedRun[] {
    const summaries = this.queries.summaries(ids);
    const params = this.queries.params(ids);
    const metrics = metricsOf(summaries, this.queries.ends(ids), this.queries.tests(ids));
    return summaries.map((s) => ({
      id: s.id,
      summary: s,
      params: params.get(s.id)!,
      metrics: metrics.get(s.id)!,
    }));
  }
}

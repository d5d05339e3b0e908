import type { WorkbenchApi } from '../../../shared/contract';
import {
  MAX_CURVE_GROUPS,
  MAX_CURVE_RUNS,
  type GroupRequest,
  type HardNotes,
} from '../../../shared/group-compare';
import type { GroupReportData, GroupReportRequest, HardNoteClip } from './types';
import packageJson from '../../../../package.json';

/** What a report of groups reads: the Workbench fits it. */
export type GroupReportSource = Pick<
  WorkbenchApi,
  'compareGroups' | 'hardNotes' | 'groupCurves' | 'noteAudio' | 'getSweep'
>;

/** How a report of groups is gathered. */
export interface GroupCollectOptions {
  /** Read the hard notes' clips (for HTML). Default false. */
  audio?: boolean;
  /** Hard notes listed. Default 20. */
  hardNotes?: number;
  /** The time the report is dated. Default now. */
  now?: number;
}

/** The request with its defaults: test accuracy, Welch's test. */
export function fullRequest(request: GroupRequest): GroupReportRequest {
  return {
    select: request.select,
    groupBy: request.groupBy,
    metric: request.metric ?? 'testAccuracy',
    test: request.test ?? 'welch',
  };
}

/**
 * Gathers what a report of groups shows: the comparison, each group's validation-accuracy curve
 * (when the groups and runs fit one chart), the hard notes that some run got wrong, and their clips
 * when asked (a note whose file cannot be read gets the reason instead).
 */
export async function collectGroupReport(
  source: GroupReportSource,
  request: GroupRequest,
  options: GroupCollectOptions = {},
): Promise<GroupReportData> {
  const full = fullRequest(request);
  const now = options.now ?? Date.now();
  const comparison = await source.compareGroups(full);
  const sweepName = 'sweep' in full.select ? (await source.getSweep(full.select.sweep)).name : null;
  const groups = comparison.groups.map((g) => g.runs);
  const runs = new Set(groups.flat()).size;
  let curves = null;
  let curvesSkipped: string | null = null;
  if (!groups.length) curvesSkipped = 'No group to draw.';
  else if (groups.length > MAX_CURVE_GROUPS || runs > MAX_CURVE_RUNS)
    curvesSkipped =
      `Curves are drawn for at most ${MAX_CURVE_GROUPS} groups and ${MAX_CURVE_RUNS} runs ` +
      `(here ${groups.length} groups, ${runs} runs).`;
  else curves = await source.groupCurves(groups, 'valAccuracy');
  const hard = await source.hardNotes(full.select, options.hardNotes ?? 20);
  const hardNotes: HardNotes = { ...hard, notes: hard.notes.filter((n) => n.wrong > 0) };
  return {
    generatedAt: new Date(now).toISOString(),
    appVersion: packageJson.version,
    request: full,
    sweepName,
    comparison,
    curves,
    curvesSkipped,
    hardNotes,
    clips: options.audio ? await clipsOf(source, hardNotes) : null,
  };
}

// Each hard note's whole recording, read through a run evaluated on its data set.
async function clipsOf(source: GroupReportSource, hard: HardNotes): Promise<HardNoteClip[]> {
  const runId = hard.runs[0];
  const clips: HardNoteClip[] = [];
  for (const { noteStr } of hard.notes) {
    if (runId === undefined) {
      clips.push({ noteStr, missing: 'no run with a test evaluation' });
      continue;
    }
    try {
      const audio = await source.noteAudio(runId, 'test', noteStr);
      clips.push({ noteStr, wav: Buffer.from(audio.wavBase64, 'base64'), seconds: audio.seconds });
    } catch (err) {
      // A deleted data set or a moved file costs the notes their players, not the report.
      clips.push({ noteStr, missing: err instanceof Error ? err.message : String(err) });
    }
  }
  return clips;
}

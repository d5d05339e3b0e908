// What a report of groups of runs holds (issue 13): the request, the comparison of the groups, the
// validation-accuracy curves of each group and the hard notes with their clips. Exporters are pure
// functions of it.
import type {
  GroupComparison,
  GroupCurve,
  GroupMetric,
  GroupRequest,
  HardNotes,
  RunSelection,
} from '../../../shared/group-compare';

/** The request as the report was made: every default filled in. */
export interface GroupReportRequest extends Required<GroupRequest> {
  select: RunSelection;
  metric: GroupMetric;
}

/** A hard note's clip: the whole note as a WAV file image, or why there is none. */
export interface HardNoteClip {
  noteStr: string;
  wav?: Buffer;
  seconds?: number;
  missing?: string;
}

/** Everything a report of groups shows. */
export interface GroupReportData {
  generatedAt: string;
  appVersion: string;
  request: GroupReportRequest;
  /** The selected sweep's name, when the selection is a sweep. */
  sweepName: string | null;
  comparison: GroupComparison;
  /** Each group's validation accuracy per epoch (in the order of comparison.groups), or null when not drawn. */
  curves: GroupCurve[] | null;
  /** Why the curves are not drawn (too many groups or runs), or null. */
  curvesSkipped: string | null;
  /** The hard notes, cut to the report's limit. */
  hardNotes: HardNotes;
  /** Clips of the hard notes in their order, when the format plays audio (HTML); else null. */
  clips: HardNoteClip[] | null;
}

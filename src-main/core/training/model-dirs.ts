import fs from 'node:fs';
import path from 'node:path';
import { pidAlive } from '../pid';
import { isActive } from '../../shared/training';
import type { RunRepo } from '../store/runs';

/** The kinds of model a run saves. */
export type ModelKind = 'best' | 'last' | 'checkpoint';

/**
 * Folder of a run's model of one kind after one epoch: `best-3`, `checkpoint-3`, `last-5`.
 * Each is written once and never replaced, so the folder the database points at is always whole.
 */
export function modelFolder(modelDir: string, kind: ModelKind, epoch: number): string {
  return path.join(modelDir, `${kind}-${epoch}`);
}

/** What an entry of a run's model folder is: a saved model, a temporary of a process, or neither. */
export function parseModelFolder(
  name: string,
): { type: 'model'; kind: ModelKind; epoch: number } | { type: 'tmp'; pid: number } | null {
  const tmp = /\.tmp-(\d+)(?:-.*)?$/.exec(name);
  if (tmp) return { type: 'tmp', pid: Number(tmp[1]) };
  const m = /^(best|last|checkpoint)(?:-(\d+))?$/.exec(name);
  // Bare `best` and `last` are the layout before epoch-numbered folders; they count as epoch 0.
  if (m) return { type: 'model', kind: m[1] as ModelKind, epoch: m[2] === undefined ? 0 : Number(m[2]) };
  return null;
}

/** Which entries of a run's model folder may go. */
export interface PruneRule {
  /** Folders the database points at (full paths or names): always kept. */
  keep: Iterable<string>;
  /** Only models of these kinds... */
  kinds?: readonly ModelKind[];
  /** ...and of epochs up to this one (later ones may be being written). Default: all. */
  upTo?: number;
  /** Temporaries of which processes. Default: none. */
  tmpOf?: (pid: number) => boolean;
}

/** Removes the entries of a run's model folder that `rule` lets go; returns their names. */
export function pruneModelFolders(modelDir: string, rule: PruneRule): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(modelDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  // By name, not full path: a TIMBRE_HOME moved to another folder still points at its own models.
  const keep = new Set([...rule.keep].map((d) => path.basename(d)));
  const removed: string[] = [];
  for (const name of names) {
    const entry = parseModelFolder(name);
    if (!entry || keep.has(name)) continue;
    const go =
      entry.type === 'tmp'
        ? (rule.tmpOf?.(entry.pid) ?? false)
        : (rule.kinds ?? ['best', 'last', 'checkpoint']).includes(entry.kind) &&
          entry.epoch <= (rule.upTo ?? Infinity);
    if (go) {
      fs.rmSync(path.join(modelDir, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/**
 * Clears what killed processes left in the models folders of unfinished runs (a finished run's
 * folder was cleared as it finished): temporaries of dead processes, and, for runs nobody trains,
 * the model folders the database does not point at of epochs up to the one after the last
 * committed (all a killed trainer can have written). Later epochs' folders and those of runs the
 * database does not know are kept: they belong to a newer database than this one (a backup was
 * restored). Each run is checked and cleaned inside one write transaction, so nobody can claim it
 * meanwhile. Returns the paths removed.
 */
export function cleanModelFolders(
  modelsRoot: string,
  runs: RunRepo,
  isAlive: (pid: number) => boolean = pidAlive,
): string[] {
  const removed: string[] = [];
  // Finished runs, usually nearly all, are not looked at: every start of every command pays this.
  const unfinished = runs.unfinished();
  for (const [id, dirs] of unfinished) {
    const dir = path.join(modelsRoot, String(id));
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    // A first look without the lock: most folders hold only what the database points at.
    const keep = new Set(dirs.map((d) => path.basename(d)));
    if (!names.some((n) => parseModelFolder(n) && !keep.has(n))) continue;
    runs.underLock(id, (run) => {
      if (!run) return;
      const training = isActive(run.status);
      const names = pruneModelFolders(dir, {
        keep: run.modelDirs,
        // A run being trained writes folders of epochs the database does not know yet.
        kinds: training ? [] : undefined,
        upTo: run.epochsDone + 1,
        tmpOf: (pid) => !training || !isAlive(pid),
      });
      removed.push(...names.map((n) => path.join(dir, n)));
    });
  }
  return removed;
}

/** One more than the highest run id that has a folder under `modelsRoot` (1 when there is none). */
export function nextFreeRunFolder(modelsRoot: string): number {
  let entries: string[];
  try {
    entries = fs.readdirSync(modelsRoot);
  } catch {
    return 1;
  }
  let max = 0;
  for (const name of entries) if (/^\d{1,15}$/.test(name)) max = Math.max(max, Number(name));
  return max + 1;
}

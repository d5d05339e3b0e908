import fs from 'node:fs';
import path from 'node:path';
import { errorKind } from './errors';

/** A folder that cannot be used or created, with the reason a user can act on. */
export const PathError = errorKind('PathError', 'bad-input');
export type PathError = InstanceType<typeof PathError>;

// Pseudo file systems whose folders look real but hold no user files; Node's recursive mkdir
// spins forever under /proc (each mkdir there fails with ENOENT although the parent exists).
const PSEUDO_ROOTS = process.platform === 'linux' ? ['/proc', '/sys'] : [];

function within(dir: string, root: string): boolean {
  return dir === root || dir.startsWith(root + path.sep);
}

/**
 * Makes sure `dir` is a folder, creating it and its missing parents one at a time, and says in one
 * line why not when it cannot be: a file in the way, no permission, a pseudo file system.
 * `what` names the folder for the message ("TIMBRE_HOME", "the output folder").
 */
export function ensureDir(dir: string, what: string): string {
  const abs = path.resolve(dir);
  const pseudo = PSEUDO_ROOTS.find((root) => within(abs, root));
  if (pseudo)
    throw new PathError(
      `${what} ${abs} is inside ${pseudo}, which holds no files of ours; choose another folder.`,
    );
  const missing: string[] = [];
  for (let cur = abs; ;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(cur);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a file is in the way further up; the walk finds and names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        throw new PathError(`${what} ${abs} cannot be used: ${cur} gives ${code}.`);
    }
    if (stat) {
      if (!stat.isDirectory())
        throw new PathError(`${what} ${abs} cannot be used: ${cur} is a file, not a folder.`);
      break;
    }
    missing.push(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
      throw new PathError(`Cannot create ${what} ${abs}: ${why} at ${d}.`);
    }
  }
  return abs;
}

/** Writes a file and flushes it to the disk, so a rename after it never exposes an empty file. */
export function writeDurable(file: string, data: string | Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

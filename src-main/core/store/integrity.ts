import fs from 'node:fs';
import Database from 'better-sqlite3';

/** What the first 100 bytes of an SQLite file say, read without opening it through SQLite. */
export interface FileHeader {
  pageSize: number;
  /** Bytes reserved at the end of each page (0 unless an extension uses them). */
  reserved: number;
  /** `PRAGMA user_version`: the schema version this app writes. */
  userVersion: number;
  /** Pages the header says the database has, when that count is valid. */
  pages: number | null;
  /** True when the database uses auto-vacuum (pointer-map pages). */
  autoVacuum: boolean;
  /** The first freelist trunk page (0: no free pages). */
  freelistTrunk: number;
  /** True when the file is in WAL mode. */
  walMode: boolean;
}

/** What a page scan found: nothing (ok) or the first few problems, in words. */
export interface PageScan {
  ok: boolean;
  problems: string[];
  pages: number;
  ms: number;
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
// Each page type's header size; any other first byte is no b-tree page.
const BTREE_HEADER: Record<number, number> = { 2: 12, 5: 12, 10: 8, 13: 8 };
const LOCK_BYTE_OFFSET = 0x40000000;
const MAX_PROBLEMS = 5;

/** Reads and checks the 100-byte header; a message saying what is wrong when it is no SQLite database. */
export function readHeader(file: string): FileHeader | string {
  const head = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let got: number;
  try {
    got = fs.readSync(fd, head, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (got < 100) return `the file is only ${got} bytes long, too short for an SQLite header`;
  if (!head.subarray(0, 16).equals(MAGIC)) return 'the file does not start with the SQLite header';
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    return `the header gives an impossible page size (${raw})`;
  }
  if (head[21] !== 64 || head[22] !== 32 || head[23] !== 32)
    return 'the header is damaged (payload fractions)';
  const reserved = head[20]!;
  if (pageSize - reserved < 480) return 'the header is damaged (reserved bytes per page)';
  // The page count is only valid when written by the same change as the change counter.
  const pages = head.readUInt32BE(92) === head.readUInt32BE(24) ? head.readUInt32BE(28) : null;
  return {
    pageSize,
    reserved,
    userVersion: head.readInt32BE(60),
    pages: pages || null,
    autoVacuum: head.readUInt32BE(52) !== 0,
    freelistTrunk: head.readUInt32BE(32),
    walMode: head[18] === 2,
  };
}

/**
 * Reads every page of the file once and checks what each page can say about itself: a b-tree
 * page's header and cell pointers must fit the page, and any other page (overflow, freelist
 * trunk) starts with a page number or zero. Freelist leaf pages are passed over: they hold
 * whatever was there before and SQLite never reads them. A run of foreign bytes as long as a page
 * (a disk or sync error, a stray write) fails both with near certainty. This is no full integrity
 * check (that is `PRAGMA integrity_check`, which decodes every row and takes ~1 s per 200 MB): it
 * reads the file at disk speed, so it runs at every open. While another process copies its WAL
 * into the file, a scan can see pages of two moments; a problem it finds is a suspicion, which
 * `checkPages` asks SQLite to confirm.
 */
export function scanPages(file: string): PageScan {
  const t0 = performance.now();
  const problems: string[] = [];
  const done = (pages: number): PageScan => ({
    ok: problems.length === 0,
    problems,
    pages,
    ms: Math.round(performance.now() - t0),
  });
  // The WAL first: a checkpoint that grows the file after this read still finds its pages counted.
  const walBytes = fileSize(`${file}-wal`);
  const header = readHeader(file);
  if (typeof header === 'string') {
    problems.push(header);
    return done(0);
  }
  const { pageSize } = header;
  const usable = pageSize - header.reserved;
  const size = fs.statSync(file).size;
  if (size % pageSize !== 0) problems.push(`the file size (${size} bytes) is no whole number of pages`);
  const filePages = Math.floor(size / pageSize);
  const wal = walFrames(walBytes, pageSize);
  if (header.pages !== null && header.pages > filePages && wal === 0) {
    problems.push(`the file is cut short: ${filePages} of ${header.pages} pages`);
  }
  // Pointer-map pages of auto-vacuum databases are not checked here; this app never turns it on.
  if (header.autoVacuum) return done(filePages);
  // Pages the WAL adds count as valid targets: a checkpoint may have copied a page pointing at them.
  const maxPage = Math.max(filePages, header.pages ?? 0) + wal;
  const lockPage = Math.floor(LOCK_BYTE_OFFSET / pageSize) + 1;
  const chunkPages = Math.max(1, Math.floor((4 << 20) / pageSize));
  const buf = Buffer.alloc(chunkPages * pageSize);
  const fd = fs.openSync(file, 'r');
  try {
    const leaves = freelistLeaves(fd, header.freelistTrunk, pageSize, usable, filePages, problems);
    for (let first = 1; first <= filePages && problems.length < MAX_PROBLEMS; first += chunkPages) {
      const count = Math.min(chunkPages, filePages - first + 1);
      const got = fs.readSync(fd, buf, 0, count * pageSize, (first - 1) * pageSize);
      for (let i = 0; i < Math.floor(got / pageSize); i++) {
        const page = first + i;
        if (page === lockPage || leaves.has(page)) continue;
        const problem = checkPage(buf, i * pageSize, page === 1 ? 100 : 0, usable, maxPage);
        if (problem && problems.length < MAX_PROBLEMS) problems.push(`page ${page}: ${problem}`);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return done(filePages);
}

/**
 * scanPages, looking a second time before reporting a problem: another process copying its WAL
 * into the file (and deleting the WAL as it closes) may have been caught halfway.
 */
export function scanPagesSettled(file: string): PageScan {
  const scan = scanPages(file);
  if (scan.ok) return scan;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  return scanPages(file);
}

/**
 * The check made at every open and of every new backup: the page scan, and when it finds
 * something, SQLite's own `PRAGMA quick_check` on a read-only connection (writing nothing) to
 * confirm it. Returns what is wrong (the scan's first problem, or SQLite's error) or null when
 * SQLite reads the file without fault: a scan that saw another process's checkpoint halfway is
 * no damage. The confirmation, slower, runs only when the scan fails.
 */
export function checkPages(file: string): string | null {
  const scan = scanPagesSettled(file);
  if (scan.ok) return null;
  const sqlite = sqliteProblem(file);
  return sqlite === null ? null : scan.problems[0]!;
}

// `PRAGMA quick_check` on a connection that writes nothing: null when SQLite finds every b-tree
// sound, else its first complaint. It checks what the page scan checks and more (each page reached
// from the schema, cell sizes, freelist counts), but not that indexes match their tables: foreign
// bytes over a page the scan suspects break that page's b-tree structure, which it does check.
function sqliteProblem(file: string): string | null {
  let db: Database.Database | undefined;
  try {
    // A read-only connection to a WAL-mode file creates an empty -wal and -shm it cannot remove;
    // with no -wal there, a connection that only reads (query_only) leaves none and, its WAL
    // empty, writes nothing to the file when it closes. A -wal already there (of a live or a
    // crashed process) is read without copying it into the file: read-only.
    const header = readHeader(file);
    if (typeof header !== 'string' && header.walMode && !fs.existsSync(`${file}-wal`)) {
      db = new Database(file, { fileMustExist: true });
      db.pragma('query_only = 1');
    } else {
      db = new Database(file, { readonly: true, fileMustExist: true });
    }
    const result = db.pragma('quick_check(1)', { simple: true }) as string;
    return result === 'ok' ? null : result;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) {
      return (err as Error).message;
    }
    throw err;
  } finally {
    db?.close();
  }
}

// The freelist's leaf pages, read from its chain of trunk pages (each: next trunk, leaf count,
// leaf page numbers). A chain that leaves the file or loops is noted as a problem.
function freelistLeaves(
  fd: number,
  firstTrunk: number,
  pageSize: number,
  usable: number,
  filePages: number,
  problems: string[],
): Set<number> {
  const leaves = new Set<number>();
  const page = Buffer.alloc(pageSize);
  const seen = new Set<number>();
  for (let trunk = firstTrunk; trunk !== 0; trunk = page.readUInt32BE(0)) {
    if (trunk > filePages || seen.has(trunk)) {
      problems.push(`freelist trunk page ${trunk} is ${seen.has(trunk) ? 'listed twice' : 'no page'}`);
      break;
    }
    seen.add(trunk);
    if (fs.readSync(fd, page, 0, pageSize, (trunk - 1) * pageSize) < pageSize) break;
    const count = page.readUInt32BE(4);
    if (count > usable / 4 - 2) {
      problems.push(`freelist trunk page ${trunk} lists ${count} leaves, more than fit`);
      break;
    }
    for (let i = 0; i < count; i++) leaves.add(page.readUInt32BE(8 + 4 * i));
  }
  return leaves;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

// Frames in a WAL file of `bytes` (0 when there is none): pages a checkpoint may still add to the file.
function walFrames(bytes: number, pageSize: number): number {
  return Math.max(0, Math.floor((bytes - 32) / (pageSize + 24)));
}

// Null when the page at `start` is a well-formed b-tree page, or another page whose first four
// bytes are a page number; else why it is neither.
function checkPage(buf: Buffer, start: number, hdr: number, usable: number, maxPage: number): string | null {
  const type = buf[start + hdr]!;
  const headerSize = BTREE_HEADER[type];
  if (headerSize !== undefined) {
    const problem = checkBtreePage(buf, start, hdr, headerSize, usable, maxPage);
    if (!problem) return null;
    if (hdr === 0 && buf.readUInt32BE(start) <= maxPage) return null;
    return problem;
  }
  // Page 1 is always the schema's b-tree page.
  if (hdr !== 0) return `no b-tree page type (${type})`;
  if (buf.readUInt32BE(start) <= maxPage) return null;
  return `neither a b-tree page (type ${type}) nor a page chained to another`;
}

function checkBtreePage(
  buf: Buffer,
  start: number,
  hdr: number,
  headerSize: number,
  usable: number,
  maxPage: number,
): string | null {
  const cells = buf.readUInt16BE(start + hdr + 3);
  const content = buf.readUInt16BE(start + hdr + 5) || 65536;
  const pointers = hdr + headerSize;
  if (pointers + 2 * cells > content || content > usable) {
    return `${cells} cells do not fit (content from ${content})`;
  }
  if (headerSize === 12) {
    const right = buf.readUInt32BE(start + hdr + 8);
    if (right < 2 || right > maxPage) return `right child ${right} is no page`;
  }
  const freeblock = buf.readUInt16BE(start + hdr + 1);
  if (freeblock !== 0 && (freeblock < content || freeblock > usable - 4)) {
    return `free block at ${freeblock} is outside the content area`;
  }
  for (let c = 0; c < cells; c++) {
    const at = buf.readUInt16BE(start + pointers + 2 * c);
    if (at < content || at > usable - 4) return `cell ${c} at ${at} is outside the content area`;
  }
  return null;
}

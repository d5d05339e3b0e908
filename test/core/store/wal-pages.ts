import fs from 'node:fs';
import { noise } from '../../helpers/damage';

/** A page of the database file that the WAL beside it holds a newer copy of (the highest such). */
export function pageInWal(file: string): number {
  const wal = fs.readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const inFile = fs.statSync(file).size / pageSize;
  const pages: number[] = [];
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) pages.push(wal.readUInt32BE(at));
  const page = pages.filter((p) => p > 1 && p <= inFile).sort((a, b) => b - a)[0];
  if (page === undefined) throw new Error(`the WAL of ${file} holds no page that is also in the file`);
  return page;
}

/** Writes a page of foreign bytes (4 KB) over page `page` of the file. */
export function overwritePage(file: string, page: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, noise(4096, page), 0, 4096, (page - 1) * 4096);
  } finally {
    fs.closeSync(fd);
  }
}

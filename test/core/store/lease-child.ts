// A process for lease.test.ts, run with `node --import tsx`:
//   take FILE HOLDER GO STOP   opens FILE, prints "ready", spins until GO exists, takes the lease as
//                              HOLDER and prints "won" or "lost", then holds on (alive) until STOP
//                              exists (at most 60 s), so that no loser finds a dead winner.
import fs from 'node:fs';
import { openDatabase } from '../../../src-main/core/store/database';
import { LeaseRepo } from '../../../src-main/core/store/lease';

const [file, holder, go, stop] = process.argv.slice(2) as [string, string, string, string];
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const db = openDatabase(file);
const lease = new LeaseRepo(db);
process.stdout.write('ready\n');
// Spinning, not sleeping: every child tries the moment the file appears.
while (!fs.existsSync(go)) pause(1);
process.stdout.write(lease.take(holder, 60_000) ? 'won\n' : 'lost\n');
const end = Date.now() + 60_000;
while (!fs.existsSync(stop) && Date.now() < end) pause(10);
db.close();

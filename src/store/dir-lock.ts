// One writer per ledger directory. LMDB lets several processes open one environment
// for writing, and two paxos nodes sharing a ledger diverge silently; so the writer
// takes `writer.lock` (created exclusively, holding its pid) and a second writer fails
// at once. A lock left by a process that died (kill -9, power loss) is taken over: its
// pid no longer runs, or now runs something that is not node.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerError } from './ledger.js';

export const LOCK_FILE = 'writer.lock';

/** The ledger directory is held by another live process. */
export class LedgerLockedError extends LedgerError {
  override name = 'LedgerLockedError';
  constructor(readonly dir: string, readonly pid: number) {
    super(`ledger directory ${dir} is in use by process ${pid}: each node needs its own data directory`);
  }
}

/** Directories this process holds (a second open from this process is refused too). */
const held = new Set<string>();

/** Take the lock of directory `dir` (which exists); returns its release. */
export function lockLedgerDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try { writeSync(fd, `${process.pid}\n`); } finally { closeSync(fd); }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const pid = Number.parseInt(readText(file), 10);
      if (Number.isInteger(pid) && pid > 0 && (pid === process.pid ? held.has(file) : runsNode(pid))) {
        throw new LedgerLockedError(dir, pid);
      }
      rmSync(file, { force: true }); // stale: its writer is gone
    }
  }
  held.add(file);
  const release = (): void => {
    if (!held.delete(file)) return;
    process.off('exit', release);
    rmSync(file, { force: true });
  };
  process.on('exit', release); // a normal exit without close() leaves no lock behind
  return release;
}

function readText(file: string): string {
  try { return readFileSync(file, 'latin1'); } catch { return ''; }
}

/** Process `pid` exists and (where /proc tells) runs node: a reused pid of another program is not a writer. */
function runsNode(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return /node/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    return true; // no /proc: trust the live pid
  }
}

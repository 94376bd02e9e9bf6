// Child process for the group-commit crash test (store-crash.test.ts): WRITERS loops
// write to one LmdbLedger at once through RecordStore.write (whole records, the
// node's write path), so that their writes share commits and syncs. Each write is
// acknowledged on stdout ("ack W N": loop W's Nth write) only after its promise
// resolved. The parent kills it with SIGKILL.
import { compound, int } from '../src/term/build.js';
import { LmdbLedger } from '../src/store/lmdb.js';

export const WRITERS = 32;
const [dir, startArg] = process.argv.slice(2);
const ledger = LmdbLedger.open(dir!);
const start = Number(startArg);

async function loop(w: number): Promise<void> {
  for (let n = start; ; n++) {
    const key = compound('w', int(w), int(n));
    await ledger.write(key, [{ key, gen: n + 1, value: compound('v', int(w), int(n)), holders: BigInt(w + 1) }]);
    process.stdout.write(`ack ${w} ${n}\n`);
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: WRITERS }, (_, w) => loop(w)));

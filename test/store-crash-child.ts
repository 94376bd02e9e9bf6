// Child process for the crash test (store-crash.test.ts): writes to an LmdbLedger
// forever and prints "ack N" on stdout only after round N's promises resolved, i.e.
// after LMDB committed and synced them. The parent kills it with SIGKILL.
import { atom, compound, int } from '../src/term/build.js';
import { LmdbLedger } from '../src/store/lmdb.js';

const [dir, startArg] = process.argv.slice(2);
const ledger = LmdbLedger.open(dir!);
const WIDTH = 4; // operations in flight together, so commits batch as in a busy node

async function round(i: number): Promise<void> {
  const ops: Promise<unknown>[] = [];
  for (let j = 0; j < WIDTH; j++) {
    const n = i * WIDTH + j;
    const key = compound('item', int(n));
    ops.push(ledger.learn(key, 1, compound('v', int(n), atom('x'.repeat(n % 200)))).then(() => ledger.setHolders(key, 1, BigInt(n))));
  }
  ops.push(ledger.learn(atom('counter'), i + 1, int(i)));
  await Promise.all(ops);
}

let i = Number(startArg);
process.stdout.write(`ready ${i}\n`);
for (;;) {
  await round(i);
  process.stdout.write(`ack ${i}\n`);
  i++;
}

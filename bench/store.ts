// Ledger benchmark: accepts per second, durable (LMDB, each promise resolved only
// after commit + sync) and in memory, awaited one at a time and with many in flight;
// and the cost of one sync (a lone awaited accept, next to a raw write+fsync).
// Standalone: `npx tsx bench/store.ts [seconds per measurement]` (default 1.5).
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compound, int, str } from '../src/term/build.js';
import type { Term } from '../src/term/types.js';
import { LmdbLedger, MemoryLedger, type Ledger } from '../src/store/index.js';

export interface StoreBench {
  readonly memorySequential: number; // accepts/s, one awaited at a time
  readonly memoryConcurrent: number; // accepts/s, `inFlight` at a time
  readonly durableSequential: number;
  readonly durableConcurrent: number;
  readonly inFlight: number;
  /** Median latency of one lone awaited durable accept (commit + sync), ms. */
  readonly syncMs: number;
  /** Median latency of a raw 4 KB write + fsync in the same directory, ms. */
  readonly rawFsyncMs: number;
}

const KEYS = 1000;
const key = (i: number): Term => compound('key', int(i));
const value = (i: number): Term => compound('value', int(i), str('some payload text of moderate size'));

async function prepare(l: Ledger): Promise<void> {
  await Promise.all(Array.from({ length: KEYS }, (_, i) => l.create(key(i), 0, value(0))));
}

/** Accepts per second for `seconds`, `inFlight` operations at a time. */
let gen = 1; // generations only grow, so every accept is above the key's newest record

async function acceptRate(l: Ledger, seconds: number, inFlight: number): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  while (performance.now() < until) {
    const g = gen++;
    const batch: Promise<boolean>[] = [];
    for (let j = 0; j < inFlight; j++) batch.push(l.accept(key((g * inFlight + j) % KEYS), g, value(g)));
    for (const ok of await Promise.all(batch)) if (!ok) throw new Error('accept refused');
    done += inFlight;
  }
  return done / ((performance.now() - t0) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchStore(seconds = 1.5, inFlight = 64): Promise<StoreBench> {
  const mem = new MemoryLedger();
  await prepare(mem);
  const memorySequential = await acceptRate(mem, seconds, 1);
  const mem2 = new MemoryLedger();
  await prepare(mem2);
  const memoryConcurrent = await acceptRate(mem2, seconds, inFlight);
  await mem.close();
  await mem2.close();

  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  try {
    const l = LmdbLedger.open(join(dir, 'a'));
    await prepare(l);
    const durableSequential = await acceptRate(l, seconds, 1);
    const durableConcurrent = await acceptRate(l, seconds, inFlight);
    // One lone accept at a time, idle in between: the latency of commit + sync.
    const lat: number[] = [];
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 5));
      const t = performance.now();
      await l.accept(key(i), 1_000_000 + i, value(i));
      lat.push(performance.now() - t);
    }
    await l.close();
    const raw: number[] = [];
    const fd = openSync(join(dir, 'raw'), 'w');
    const page = Buffer.alloc(4096, 7);
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      writeSync(fd, page, 0, page.length, 0);
      fsyncSync(fd);
      raw.push(performance.now() - t);
    }
    closeSync(fd);
    return {
      memorySequential, memoryConcurrent, durableSequential, durableConcurrent, inFlight,
      syncMs: median(lat), rawFsyncMs: median(raw),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatStoreBench(r: StoreBench): string {
  const n = (x: number): string => Math.round(x).toString().padStart(9);
  return [
    'store: accepts per second (durable = committed and synced before the promise resolves)',
    `  memory   one at a time ${n(r.memorySequential)}   ${r.inFlight} in flight ${n(r.memoryConcurrent)}`,
    `  LMDB     one at a time ${n(r.durableSequential)}   ${r.inFlight} in flight ${n(r.durableConcurrent)}`,
    `  one sync: lone durable accept ${r.syncMs.toFixed(2)} ms (median), raw 4 KB write+fsync ${r.rawFsyncMs.toFixed(2)} ms`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 1.5);
  console.log(formatStoreBench(await benchStore(seconds)));
}

// Session churn: a ClusterSessionStore on a durable node (LMDB) creates N sessions
// while about L are live at a time; each expires, its store's cleanup deletes it, and
// (with --compact-grace S) compaction removes the tombstones. At the end: the ledger's
// size on disk, its key count, RSS and heap, next to a fresh node holding only the L
// live sessions (the baseline measured in the same run): "within 2x" is the aim.
// Session time is a virtual clock (1 ms per session created), so a run of N sessions
// needs no real hours; compaction's grace is real time.
//   `npx tsx bench/session-churn.ts [--sessions N] [--live L] [--compact-grace S] [--nodes 1|3]`
// Ports 48700-48719.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionData } from 'express-session';
import { startCluster, type Cluster } from '../src/index.js';
import { ClusterSessionStore } from '../src/integrations/express-session.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SESSIONS = opt('sessions', 200_000);
const LIVE = opt('live', 10_000);
const GRACE = opt('compact-grace', 0);
const NODES = opt('nodes', 1);
const WRITERS = 32;

interface Measure { diskMB: number; keys: number; rssMB: number; heapMB: number }

async function startNodes(dir: string, base: number): Promise<Cluster[]> {
  const ports = Array.from({ length: NODES }, (_, i) => base + i);
  const settings = GRACE > 0 ? { compact_grace: GRACE } : {};
  return Promise.all(ports.map((port, i) => startCluster({
    port, peers: ports.map((p) => `127.0.0.1:${p}`), data: join(dir, String(i)), nodeId: i,
    settings: settings as Record<string, number>,
  })));
}

function measure(dir: string, keys: number): Measure {
  global.gc?.();
  const m = process.memoryUsage();
  const du = Number(spawnSync('du', ['-sk', dir], { encoding: 'utf8' }).stdout.split('\t')[0]) / 1024;
  return { diskMB: du / NODES, keys, rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20 };
}

const sessionOf = (i: number): SessionData => ({
  cookie: { originalMaxAge: null, path: '/', httpOnly: true },
  user: `user-${i % 5000}`, visits: i % 17, cart: ['book', 'pen'].slice(0, i % 3),
} as unknown as SessionData);

/** Create sessions [from, to) with WRITERS in flight; every `every` sessions run the cleanup. */
async function create(store: ClusterSessionStore, clock: { t: number }, from: number, to: number, every: number): Promise<number> {
  let next = from;
  let deleted = 0;
  let sinceCleanup = 0;
  const put = (i: number): Promise<void> => new Promise((res, rej) => {
    store.set(`s${i}`, sessionOf(i), (e) => (e ? rej(e as Error) : res()));
  });
  while (next < to) {
    const batch: Promise<void>[] = [];
    for (let w = 0; w < WRITERS && next < to; w++, next++) { clock.t++; batch.push(put(next)); }
    await Promise.all(batch);
    sinceCleanup += batch.length;
    if (every > 0 && sinceCleanup >= every) { sinceCleanup = 0; deleted += await store.cleanup(); }
  }
  return deleted;
}

async function keyCount(c: Cluster): Promise<number> {
  return (await c.status()).ledgerSize;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function churn(): Promise<{ m: Measure; deleted: number; ms: number; during: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'session-churn-'));
  const nodes = await startNodes(dir, 48700);
  const clock = { t: Date.now() };
  const store = new ClusterSessionStore(nodes[0]!, { ttlSeconds: LIVE / 1000, cleanupIntervalMs: 0, now: () => clock.t });
  const t0 = performance.now();
  let deleted = 0;
  const during: number[] = [];
  try {
    const step = Math.max(LIVE, Math.floor(SESSIONS / 10));
    for (let from = 0; from < SESSIONS; from += step) {
      deleted += await create(store, clock, from, Math.min(SESSIONS, from + step), Math.floor(LIVE / 4));
      during.push(await keyCount(nodes[0]!));
    }
    // Let the last sessions expire and be deleted, then give compaction its grace (bounded).
    clock.t += LIVE + 1;
    deleted += await store.cleanup();
    if (GRACE > 0) {
      const until = performance.now() + (GRACE * 3 + 30) * 1000;
      while (performance.now() < until && (await keyCount(nodes[0]!)) > LIVE / 10 + 10) await sleep(500);
    }
    const ms = performance.now() - t0;
    return { m: measure(dir, await keyCount(nodes[0]!)), deleted, ms, during };
  } finally {
    store.close();
    await Promise.all(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function baseline(): Promise<Measure> {
  const dir = mkdtempSync(join(tmpdir(), 'session-live-'));
  const nodes = await startNodes(dir, 48710);
  const clock = { t: Date.now() };
  const store = new ClusterSessionStore(nodes[0]!, { ttlSeconds: 86_400, cleanupIntervalMs: 0, now: () => clock.t });
  try {
    await create(store, clock, 0, LIVE, 0);
    return measure(dir, await keyCount(nodes[0]!));
  } finally {
    store.close();
    await Promise.all(nodes.map((n) => n.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (m: Measure): string => `ledger ${m.diskMB.toFixed(1)} MB on disk per node, ${m.keys} keys, RSS ${m.rssMB.toFixed(0)} MB, heap ${m.heapMB.toFixed(0)} MB`;
const phase = args[args.indexOf('--phase') + 1];
if (args.includes('--phase')) {
  // A child: one phase in a process of its own, so RSS is its own; the answer is the last line.
  console.log(JSON.stringify(phase === 'churn' ? await churn() : { m: await baseline() }));
} else {
  const run = <T>(p: string): T => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', process.argv[1]!, ...args, '--phase', p], { encoding: 'utf8', timeout: 3_600_000 });
    if (r.status !== 0) throw new Error(`${p} phase failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
  };
  console.log(`session churn: ${SESSIONS} sessions, ~${LIVE} live at a time, ${NODES} node(s), LMDB, compaction ${GRACE > 0 ? `grace ${GRACE} s` : 'off'}`);
  const c = run<Awaited<ReturnType<typeof churn>>>('churn');
  console.log(`  churned: ${(SESSIONS / (c.ms / 1000)).toFixed(0)} sessions/s created (and deleted: ${c.deleted}); keys along the run ${c.during.join(', ')}`);
  console.log(`  at the end: ${f(c.m)}`);
  const b = run<{ m: Measure }>('baseline').m;
  console.log(`  baseline, a fresh node with the ${LIVE} live sessions only: ${f(b)}`);
  console.log(`  ratios churned / live-only: disk ${(c.m.diskMB / b.diskMB).toFixed(2)}, keys ${(c.m.keys / b.keys).toFixed(2)}, RSS ${(c.m.rssMB / b.rssMB).toFixed(2)} (aim: within 2x)`);
}

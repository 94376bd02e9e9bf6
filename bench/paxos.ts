// Paxos benchmark on loopback (ports 44000-44999): a cluster of our nodes and, in
// the same run, a cluster of real SWI-Prolog 9.0.4 nodes (library(paxos) over
// udp_broadcast, unicast) doing the same work, at 3 and 5 nodes:
//   - sequential paxos_set on one node: latency p50/p99 and sets per second;
//   - paxos_get on another node (a key it holds: the local read both serve);
//   - change propagation: from the start of a set on the first node to the change
//     event on the last node;
//   - concurrent sets on one node (rows `<impl>-<n>-conc`, a second table): C set loops
//     at once (default 8, `--conc C`), loop i setting its own key ki to 1, 2, ..., the
//     `sets` sets in all split evenly; total successful sets / wall time of the batch,
//     latency p50/p99 over all sets, failed sets, and the mean number of sets in flight
//     (sum of set latencies / wall time: C if the loops overlap fully, 1 if they
//     serialise). Ours: C async loops around node.set (Promise.all) in the child; SWI:
//     C Prolog threads (thread_create/3, thread_join/2) calling paxos_set/2, timed in
//     Prolog (bench_conc_set/6 of test/paxos-support.ts). SWI 9.0.4's paxos_set does run
//     concurrently from several threads of one process: each broadcast_request/1 over
//     udp_broadcast gets its own reply queue (keyed by a random request id), so the
//     proposing threads overlap; the acceptor side of every node is one thread
//     (udp_inbound_proxy). Checked by experiment before these rows were added: 8 threads
//     gave about 3x the sequential sets/s at 3 nodes with about 7.7 sets in flight, and
//     no failed sets.
// Like for like: every node, ours and SWI's, is its own process (ours:
// bench/paxos-child.ts, a PaxosNode over the real UDP transport), driven over
// stdin/IPC and timed inside the node that does the work. SWI keeps its ledger in
// memory, so the main rows use our MemoryLedger; our durable LMDB ledger (an accept
// is synced before it is acknowledged) is a separate row.
// Warm-up: both sides first do `--warmup W` sets (default 5000; LMDB rows at most 1000)
// on another key, and only then the measured ones. Measured right after start, our
// nodes run unoptimised code (V8 tiers a function up after many calls, in each of the
// node processes) and the VM's idle vCPUs wake slowly: our first thousands of sets
// were 4-5x slower than the steady state on this machine, SWI's about 1.3x. The first
// 1000 warm-up sets give the "cold sets/s" column, for both sides.
// Standalone: `npx tsx bench/paxos.ts [sets] [--profile DIR] [--only ROW,...] [--conc C] [--warmup W]`
// (default 2000 sets, C = 8, W = 5000).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { equalTerms } from '../src/term/equal.js';
import { int } from '../src/term/build.js';
import type { Term } from '../src/term/types.js';
import { readTerm } from '../src/text/read.js';
import { SwiNode, waitFor } from '../test/paxos-support.js';
import type { ChildCommand } from './paxos-child.js';

export interface PaxosBenchRow {
  readonly impl: 'ours' | 'swi';
  /** Where the nodes keep their ledger: SWI's is in memory. */
  readonly ledger: 'memory' | 'lmdb';
  readonly nodes: number;
  readonly sets: number;
  readonly failedSets: number;
  readonly setP50: number; // ms
  readonly setP99: number;
  readonly setsPerSec: number;
  /** The first 1000 sets after the cluster formed (before any warm-up). */
  readonly coldSetsPerSec: number;
  readonly getP50: number;
  readonly getP99: number;
  readonly changeP50: number;
  readonly changeP99: number;
  /** Ours only: a read that asks a majority (GetOptions.quorum). */
  readonly quorumGetP50?: number;
  readonly quorumGetP99?: number;
  /** Ours only, the proposer over the set loop: event-loop delay p99 (ms) and CPU ms per set. */
  readonly eldP99?: number;
  readonly cpuPerSet?: number;
  /** The kernel's part of cpuPerSet (socket sends and receives, mostly). */
  readonly sysPerSet?: number;
}

/** Concurrent sets on one node: C loops at once, each on its own key. */
export interface PaxosConcRow {
  readonly impl: 'ours' | 'swi';
  readonly ledger: 'memory';
  readonly nodes: number;
  readonly concurrency: number;
  readonly sets: number;
  readonly failedSets: number;
  /** Successful sets / wall time of the whole batch. */
  readonly setsPerSec: number;
  readonly setP50: number; // ms
  readonly setP99: number;
  /** Sum of the successful sets' latencies / wall time: C when the loops overlap fully, 1 when they serialise. */
  readonly inFlight: number;
  readonly wallMs: number;
  /** Ours only, the proposer over the batch: CPU ms per set and its kernel part. */
  readonly cpuPerSet?: number;
  readonly sysPerSet?: number;
}

export type PaxosRow = PaxosBenchRow | PaxosConcRow;

const isConc = (r: PaxosRow): r is PaxosConcRow => 'concurrency' in r;

/** Rejects after ms (the callers' finally then ends the processes). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error(`timed out: ${what}`)), ms); })]);
  } finally {
    clearTimeout(t);
  }
}

/** A bound on one concurrent batch: generous (a set that retries to its limit takes about a second). */
const concTimeout = (sets: number): number => 60_000 + sets * 200;

export function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))]!;
}

const CHANGES = 50;
/** Sets before the measured ones (see the header); the cold column is the first COLD of them. */
let warmup = 5000;
const COLD = 1000;
const warmupFor = (ledger: 'memory' | 'lmdb'): number => (ledger === 'lmdb' ? Math.min(warmup, 1000) : warmup);

/** Sets per second over the first COLD latencies (ms), as the sequential rows count them. */
function coldRate(lat: readonly number[]): number {
  const first = lat.slice(0, COLD);
  return first.length / (first.reduce((a, b) => a + b, 0) / 1000);
}

/** One of our nodes in its own process (bench/paxos-child.ts), driven over IPC. */
export class ChildNode {
  private nextId = 1;
  private readonly waiting = new Map<number, { res: (r: unknown) => void; rej: (e: Error) => void }>();
  readonly events: { key: Term; value: Term; at: number }[] = [];
  /** Inside the child: its ledger's open and its node's start (transport and join), in ms. */
  startTimes = { openMs: NaN, startMs: NaN };

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: { id?: number; r?: unknown; error?: string; event?: string; key?: string; value?: string; at?: number }) => {
      if (m.event === 'changed') {
        this.events.push({ key: readTerm(m.key!), value: readTerm(m.value!), at: m.at! });
        return;
      }
      if (m.id === undefined) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error !== undefined) w?.rej(new Error(m.error)); else w?.res(m.r);
    });
  }

  /** `extra`: further argv of bench/paxos-child.ts (e.g. `auth`). */
  static async start(port: number, peers: readonly number[], ledger: string, extra: readonly string[] = []): Promise<ChildNode> {
    const script = fileURLToPath(new URL('./paxos-child.ts', import.meta.url));
    const proc = fork(script, [String(port), peers.join(','), ledger, ...extra], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const c = new ChildNode(proc);
    await new Promise<void>((res, rej) => {
      const onMsg = (m: { ready?: unknown; openMs?: number; startMs?: number }): void => {
        if (m.ready === undefined) return;
        proc.off('message', onMsg);
        c.startTimes = { openMs: m.openMs ?? NaN, startMs: m.startMs ?? NaN };
        res();
      };
      proc.on('message', onMsg);
      proc.once('exit', (code) => rej(new Error(`paxos child on ${port} exited with ${code}`)));
    });
    return c;
  }

  run<R>(c: ChildCommand): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((res, rej) => {
      this.waiting.set(id, { res: res as (r: unknown) => void, rej });
      this.proc.send({ id, c });
    });
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    // A child killed before it answers never answers: the exit ends the wait too.
    await Promise.race([this.run({ cmd: 'close' }).catch(() => {}), exited]);
    await exited;
    clearTimeout(t);
  }
}

interface Window { wallMs: number; cpuMs: number; sysMs: number; eldP50: number; eldP99: number; eldMax: number }

/**
 * Start n of our nodes on ports base.. into `nodes` (filled as they start, so the
 * caller's finally ends even a half-started cluster) and wait for one full quorum.
 * One after the other: joining nodes then find the running ones (as the SWI nodes start).
 */
export async function startOurs(nodes: ChildNode[], n: number, base: number, ledgerOf: (port: number) => string, extra: readonly string[] = []): Promise<void> {
  const ports = Array.from({ length: n }, (_, i) => base + i);
  for (const p of ports) nodes.push(await ChildNode.start(p, ports, ledgerOf(p), extra));
  await waitFor(async () => (await Promise.all(nodes.map((x) => x.run<number>({ cmd: 'quorum' })))).every((q) => q === n), 10_000, 'one quorum');
}

/** As startOurs, for SWI nodes. */
async function startSwi(nodes: SwiNode[], n: number, base: number): Promise<void> {
  const ports = Array.from({ length: n }, (_, i) => base + i);
  for (const p of ports) nodes.push(await SwiNode.start(p, ports));
  const want = (1n << BigInt(n)) - 1n;
  await waitFor(async () => (await Promise.all(nodes.map((x) => x.quorum()))).every((q) => q === want), 10_000, 'one SWI quorum');
}

async function benchOurs(n: number, base: number, sets: number, ledger: 'memory' | 'lmdb', profileDir?: string): Promise<PaxosBenchRow> {
  const nodes: ChildNode[] = [];
  const dir = ledger === 'lmdb' ? mkdtempSync(join(tmpdir(), 'paxos-bench-')) : undefined;
  try {
    await startOurs(nodes, n, base, (p) => (dir ? `lmdb:${join(dir, String(p))}` : 'memory'));
    const [first, last] = [nodes[0]!, nodes[n - 1]!];
    const cold = await first.run<{ lat: number[] }>({ cmd: 'sets', n: warmupFor(ledger), key: 'warm' });
    const profile = profileDir ? join(profileDir, `ours-${n}-${ledger}-proposer.cpuprofile`) : undefined;
    // With --profile, an acceptor's side of the same set loop too.
    const accProfile = profileDir ? join(profileDir, `ours-${n}-${ledger}-acceptor.cpuprofile`) : undefined;
    const acceptor = nodes[1]!;
    if (accProfile) await acceptor.run({ cmd: 'window', on: true, profile: accProfile });
    await first.run({ cmd: 'window', on: true, ...(profile && { profile }) });
    const s = await first.run<{ lat: number[]; failed: number }>({ cmd: 'sets', n: sets, key: 'k' });
    const w = await first.run<Window>({ cmd: 'window', on: false, ...(profile && { profile }) });
    if (accProfile) await acceptor.run({ cmd: 'window', on: false, profile: accProfile });
    await waitFor(() => last.run<boolean>({ cmd: 'has', key: 'k' }), 2000, 'k replicated');
    const gets = (await last.run<{ lat: number[] }>({ cmd: 'gets', n: sets, key: 'k', quorum: false })).lat;
    const qgets = (await last.run<{ lat: number[] }>({ cmd: 'gets', n: Math.min(sets, 100), key: 'k', quorum: true })).lat;
    const changes: number[] = [];
    for (let i = 1; i <= CHANGES; i++) {
      const t0 = await first.run<number>({ cmd: 'stampSet', key: 'chg', value: i });
      const v = int(i);
      const seen = (): { at: number } | undefined => last.events.find((e) => e.key.kind === 'atom' && e.key.name === 'chg' && equalTerms(e.value, v));
      await waitFor(() => seen() !== undefined, 2000, `change ${i} on the last node`);
      changes.push(seen()!.at - t0);
    }
    const lat = s.lat;
    const total = lat.reduce((a, b) => a + b, 0) / 1000;
    return {
      impl: 'ours', ledger, nodes: n, sets, failedSets: s.failed, setP50: pct(lat, 0.5), setP99: pct(lat, 0.99), setsPerSec: lat.length / total, coldSetsPerSec: coldRate(cold.lat),
      getP50: pct(gets, 0.5), getP99: pct(gets, 0.99), changeP50: pct(changes, 0.5), changeP99: pct(changes, 0.99),
      quorumGetP50: pct(qgets, 0.5), quorumGetP99: pct(qgets, 0.99), eldP99: w.eldP99, cpuPerSet: w.cpuMs / sets, sysPerSet: w.sysMs / sets,
    };
  } finally {
    await Promise.all(nodes.map((x) => x.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

async function benchOursConc(n: number, base: number, sets: number, conc: number): Promise<PaxosConcRow> {
  const nodes: ChildNode[] = [];
  try {
    await startOurs(nodes, n, base, () => 'memory');
    const [first, last] = [nodes[0]!, nodes[n - 1]!];
    await within(first.run({ cmd: 'concSets', n: warmup, c: conc, key: 'warm' }), concTimeout(warmup), 'concurrent warm-up');
    await first.run({ cmd: 'window', on: true });
    const s = await within(first.run<{ wallMs: number; lat: number[]; failed: number }>({ cmd: 'concSets', n: sets, c: conc, key: 'k' }), concTimeout(sets), 'concurrent sets');
    const w = await first.run<Window>({ cmd: 'window', on: false });
    // A sanity check: the last loop's key reached the last node (when every set succeeded).
    if (sets > 0 && s.failed === 0) await waitFor(() => last.run<boolean>({ cmd: 'has', key: `k${Math.min(conc, sets)}` }), 2000, 'concurrent keys replicated');
    const sum = s.lat.reduce((a, b) => a + b, 0);
    return {
      impl: 'ours', ledger: 'memory', nodes: n, concurrency: conc, sets, failedSets: s.failed, setsPerSec: s.lat.length / (s.wallMs / 1000),
      setP50: pct(s.lat, 0.5), setP99: pct(s.lat, 0.99), inFlight: sum / s.wallMs, wallMs: s.wallMs, cpuPerSet: w.cpuMs / sets, sysPerSet: w.sysMs / sets,
    };
  } finally {
    await Promise.all(nodes.map((x) => x.close()));
  }
}

function intList(t: Term | undefined): number[] {
  const out: number[] = [];
  let c = t;
  while (c?.kind === 'compound' && c.name === '[|]' && c.args.length === 2) {
    const h = c.args[0]!;
    if (h.kind === 'int') out.push(Number(h.value));
    c = c.args[1];
  }
  return out;
}

async function benchSwi(n: number, base: number, sets: number): Promise<PaxosBenchRow> {
  const nodes: SwiNode[] = [];
  try {
    await startSwi(nodes, n, base);
    const [first, last] = [nodes[0]!, nodes[n - 1]!];
    const arg = (r: string | undefined, i: number): Term | undefined => {
      const t = r === undefined ? undefined : readTerm(r);
      return t?.kind === 'compound' ? t.args[i] : undefined;
    };
    const cold = intList(arg(await first.query(`bench_set(${warmup}, warm, Us)`), 2)).map((u) => u / 1000);
    const lat = intList(arg(await first.query(`bench_set(${sets}, k, Us)`), 2)).map((u) => u / 1000);
    await waitFor(async () => (await last.query('paxos:ledger(k, _, _)')) !== undefined, 2000, 'k replicated');
    const gets = intList(arg(await last.query(`bench_get(${sets}, k, Us)`), 2)).map((u) => u / 1000);
    const changes: number[] = [];
    for (let i = 1; i <= CHANGES; i++) {
      const t0 = arg(await first.query(`stamp_set(chg, ${i}, T0)`), 2);
      if (t0?.kind !== 'float') continue;
      const v = int(i);
      await waitFor(() => last.events.some((e) => e.key.kind === 'atom' && e.key.name === 'chg' && equalTerms(e.value, v)), 2000, `change ${i} on the last SWI node`);
      const e = last.events.find((x) => x.key.kind === 'atom' && x.key.name === 'chg' && equalTerms(x.value, v))!;
      changes.push((e.at - t0.value) * 1000);
    }
    const total = lat.reduce((a, b) => a + b, 0) / 1000;
    return {
      impl: 'swi', ledger: 'memory', nodes: n, sets, failedSets: sets - lat.length, setP50: pct(lat, 0.5), setP99: pct(lat, 0.99), setsPerSec: lat.length / total, coldSetsPerSec: coldRate(cold),
      getP50: pct(gets, 0.5), getP99: pct(gets, 0.99), changeP50: pct(changes, 0.5), changeP99: pct(changes, 0.99),
    };
  } finally {
    for (const x of nodes) x.kill();
  }
}

async function benchSwiConc(n: number, base: number, sets: number, conc: number): Promise<PaxosConcRow> {
  const nodes: SwiNode[] = [];
  try {
    await startSwi(nodes, n, base);
    const [first, last] = [nodes[0]!, nodes[n - 1]!];
    await within(first.query(`bench_conc_set(${conc}, ${warmup}, warm, _, _, _)`), concTimeout(warmup), 'concurrent SWI warm-up');
    const r = await within(first.query(`bench_conc_set(${conc}, ${sets}, k, WallUs, Us, Failed)`), concTimeout(sets), 'concurrent SWI sets');
    const t = r === undefined ? undefined : readTerm(r);
    if (t?.kind !== 'compound' || t.args[3]?.kind !== 'int' || t.args[5]?.kind !== 'int') throw new Error(`bench_conc_set: ${r ?? 'failed'}`);
    const wallMs = Number(t.args[3].value) / 1000;
    const lat = intList(t.args[4]).map((u) => u / 1000);
    if (sets > 0 && lat.length === sets) await waitFor(async () => (await last.query(`paxos:ledger(k${Math.min(conc, sets)}, _, _)`)) !== undefined, 2000, 'concurrent keys replicated');
    const sum = lat.reduce((a, b) => a + b, 0);
    return {
      impl: 'swi', ledger: 'memory', nodes: n, concurrency: conc, sets, failedSets: Number(t.args[5].value), setsPerSec: lat.length / (wallMs / 1000),
      setP50: pct(lat, 0.5), setP99: pct(lat, 0.99), inFlight: sum / wallMs, wallMs,
    };
  } finally {
    for (const x of nodes) x.kill();
  }
}

/**
 * Our 3- and 5-node clusters and SWI's, one after the other (never at once: 2 shared cores). `only`: row names such
 * as swi-3, ours-5-lmdb, swi-5-conc. `conc`: the concurrent rows' number of set loops (they do `sets` sets in all).
 */
export async function benchPaxos(sets = 2000, profileDir?: string, only?: readonly string[], conc = 8): Promise<PaxosRow[]> {
  // Ports: sequential rows 44001-44105, concurrent rows 44201-44265.
  const plan: [string, () => Promise<PaxosRow>][] = [
    ['ours-3-memory', () => benchOurs(3, 44001, sets, 'memory', profileDir)],
    ['swi-3', () => benchSwi(3, 44021, sets)],
    ['ours-3-lmdb', () => benchOurs(3, 44081, sets, 'lmdb', profileDir)],
    ['ours-5-memory', () => benchOurs(5, 44041, sets, 'memory', profileDir)],
    ['swi-5', () => benchSwi(5, 44061, sets)],
    ['ours-5-lmdb', () => benchOurs(5, 44101, sets, 'lmdb', profileDir)],
    ['ours-3-conc', () => benchOursConc(3, 44201, sets, conc)],
    ['swi-3-conc', () => benchSwiConc(3, 44221, sets, conc)],
    ['ours-5-conc', () => benchOursConc(5, 44241, sets, conc)],
    ['swi-5-conc', () => benchSwiConc(5, 44261, sets, conc)],
  ];
  const rows: PaxosRow[] = [];
  for (const [name, run] of plan) if (!only || only.includes(name)) rows.push(await run());
  return rows;
}

/** The sequential rows' table, then (when there are concurrent rows) the concurrent rows' table. */
export function formatPaxosBench(all: readonly PaxosRow[]): string {
  const rows = all.filter((r): r is PaxosBenchRow => !isConc(r));
  const conc = all.filter(isConc);
  const f = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : x < 1 ? x.toFixed(3) : x.toFixed(1));
  const head = '| impl | ledger | nodes | sets ok/total | set p50 ms | set p99 ms | sets/s | cold sets/s | get p50 ms | get p99 ms | quorum get p50/p99 ms | change p50 ms | change p99 ms | proposer loop delay p99 ms | proposer CPU ms/set (kernel) |';
  const sep = '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map((r) => `| ${r.impl} | ${r.ledger} | ${r.nodes} | ${r.sets - r.failedSets}/${r.sets} | ${f(r.setP50)} | ${f(r.setP99)} | ${r.setsPerSec.toFixed(0)} | ${Number.isNaN(r.coldSetsPerSec) ? '-' : r.coldSetsPerSec.toFixed(0)} | ${f(r.getP50)} | ${f(r.getP99)} | ${r.quorumGetP50 === undefined ? '-' : `${f(r.quorumGetP50)}/${f(r.quorumGetP99)}`} | ${f(r.changeP50)} | ${f(r.changeP99)} | ${f(r.eldP99)} | ${f(r.cpuPerSet)}${r.sysPerSet === undefined ? '' : ` (${f(r.sysPerSet)})`} |`);
  const out = rows.length > 0 || conc.length === 0 ? [head, sep, ...lines] : [];
  if (conc.length > 0) {
    if (out.length > 0) out.push('');
    out.push(
      'Concurrent sets on one node: C loops at once, each on its own key; sets/s = successful sets / wall time of the batch; in flight = sum of set latencies / wall time.',
      '',
      '| impl | ledger | nodes | mode | sets ok/total | sets/s | set p50 ms | set p99 ms | sets in flight | wall ms | proposer CPU ms/set (kernel) |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...conc.map((r) => `| ${r.impl} | ${r.ledger} | ${r.nodes} | concurrent C=${r.concurrency} | ${r.sets - r.failedSets}/${r.sets} | ${r.setsPerSec.toFixed(0)} | ${f(r.setP50)} | ${f(r.setP99)} | ${r.inFlight.toFixed(1)} | ${r.wallMs.toFixed(0)} | ${f(r.cpuPerSet)}${r.sysPerSet === undefined ? '' : ` (${f(r.sysPerSet)})`} |`),
    );
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const pi = args.indexOf('--profile');
  const profileDir = pi >= 0 ? args.splice(pi, 2)[1] : undefined;
  const oi = args.indexOf('--only');
  const only = oi >= 0 ? args.splice(oi, 2)[1]!.split(',') : undefined;
  const ci = args.indexOf('--conc');
  const conc = ci >= 0 ? Number(args.splice(ci, 2)[1]) : 8;
  if (!Number.isInteger(conc) || conc < 1) throw new Error(`--conc wants a positive integer, not ${conc}`);
  const wi = args.indexOf('--warmup');
  if (wi >= 0) warmup = Number(args.splice(wi, 2)[1]);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup wants a non-negative integer, not ${warmup}`);
  const sets = Number(args[0] ?? 2000);
  const rows = await benchPaxos(sets, profileDir, only, conc);
  console.log(formatPaxosBench(rows));
  process.exit(0);
}

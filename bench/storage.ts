// Storage benchmark: our durable (LMDB, group commit) paxos nodes side by side with
// etcd (Debian's etcd-server 3.4, default durability: every write fsynced by raft's
// WAL before it is acknowledged), started here on loopback, single node and 3 members.
// Same work on both: sequential puts, 8 and 32 concurrent writers, sequential reads
// (etcd: linearizable range; ours: a quorum read). etcd is driven through its HTTP/JSON
// gateway from this process (keep-alive pool, one connection per writer); ours are
// timed inside the proposing node (bench/paxos-child.ts), so etcd pays an HTTP round
// trip on loopback that ours does not. Ports 48600-48699.
//   `npx tsx bench/storage.ts [sets] [--keys N]`: --keys N also fills one node and a
//   3-node cluster with N session-like keys (32 writers) and reports sets/s at the start
//   and at the end, RSS and heap at the end, and the restart time (heavy: off by default;
//   `--keys-nodes 1` for one node only, `--keys-only` without the table).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { ChildNode, pct, startOurs } from './paxos.js';
import { waitFor } from '../test/paxos-support.js';

interface Row {
  readonly name: string;
  readonly seqRate: number; readonly seqP50: number; readonly seqP99: number;
  readonly conc: { c: number; rate: number; p99: number; failed: number }[];
  readonly getP50: number; readonly getP99: number;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

class Etcd {
  private constructor(private readonly procs: ChildProcess[], private readonly dir: string, readonly pool: Pool) {}

  static async start(members: number, base: number): Promise<Etcd> {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-bench-'));
    const peer = (i: number): string => `http://127.0.0.1:${base + 2 * i + 1}`;
    const cluster = Array.from({ length: members }, (_, i) => `m${i}=${peer(i)}`).join(',');
    const procs = Array.from({ length: members }, (_, i) => spawn('etcd', [
      '--name', `m${i}`, '--data-dir', join(dir, `m${i}`),
      '--listen-client-urls', `http://127.0.0.1:${base + 2 * i}`, '--advertise-client-urls', `http://127.0.0.1:${base + 2 * i}`,
      '--listen-peer-urls', peer(i), '--initial-advertise-peer-urls', peer(i),
      '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', 'bench',
      '--log-level', 'error',
    ], { stdio: 'ignore' }));
    const pool = new Pool(`http://127.0.0.1:${base}`, { connections: 64 });
    const e = new Etcd(procs, dir, pool);
    try {
      await waitFor(async () => (await e.put('up', '1').then(() => true, () => false)), 20_000, 'etcd up');
    } catch (err) { await e.stop(); throw err; }
    return e;
  }

  private async post(path: string, body: object): Promise<unknown> {
    const r = await this.pool.request({ method: 'POST', path, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const j = await r.body.json() as { error?: string };
    if (r.statusCode !== 200 || j.error) throw new Error(`etcd ${path}: ${r.statusCode} ${j.error ?? ''}`);
    return j;
  }

  put(key: string, value: string): Promise<unknown> { return this.post('/v3/kv/put', { key: b64(key), value: b64(value) }); }
  get(key: string): Promise<unknown> { return this.post('/v3/kv/range', { key: b64(key) }); }

  async stop(): Promise<void> {
    await this.pool.close();
    await Promise.all(this.procs.map((p) => new Promise<void>((res) => {
      if (p.exitCode !== null || p.signalCode !== null) { res(); return; }
      p.once('exit', () => res());
      p.kill('SIGTERM');
    })));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now(); await f(i); lat.push(performance.now() - t0); }
  return lat;
}

async function benchEtcd(members: number, base: number, sets: number): Promise<Row> {
  const e = await Etcd.start(members, base);
  try {
    await timed(Math.min(sets, 1000), (i) => e.put('warm', String(i)));
    const seq = await timed(sets, (i) => e.put('seq', String(i)));
    const conc: Row['conc'] = [];
    for (const c of [8, 32]) {
      const lat: number[] = []; let failed = 0;
      const w0 = performance.now();
      await Promise.all(Array.from({ length: c }, async (_, j) => {
        for (let v = 0; v < Math.ceil(sets / c); v++) {
          const t0 = performance.now();
          await e.put(`k${c}-${j}`, String(v)).then(() => lat.push(performance.now() - t0), () => failed++);
        }
      }));
      conc.push({ c, rate: lat.length / ((performance.now() - w0) / 1000), p99: pct(lat, 0.99), failed });
    }
    const gets = await timed(sets, () => e.get('seq'));
    return {
      name: `etcd-${members}`, seqRate: seq.length / (seq.reduce((a, b) => a + b, 0) / 1000), seqP50: pct(seq, 0.5), seqP99: pct(seq, 0.99),
      conc, getP50: pct(gets, 0.5), getP99: pct(gets, 0.99),
    };
  } finally { await e.stop(); }
}

async function benchOurs(n: number, base: number, sets: number, ledger: 'lmdb' | 'memory'): Promise<Row> {
  const nodes: ChildNode[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'storage-bench-'));
  try {
    await startOurs(nodes, n, base, (p) => (ledger === 'lmdb' ? `lmdb:${join(dir, String(p))}` : 'memory'));
    const first = nodes[0]!;
    await first.run({ cmd: 'sets', n: Math.min(sets, 1000), key: 'warm' });
    const s = await first.run<{ lat: number[]; failed: number }>({ cmd: 'sets', n: sets, key: 'seq' });
    const conc: Row['conc'] = [];
    for (const c of [8, 32]) {
      const r = await first.run<{ wallMs: number; lat: number[]; failed: number }>({ cmd: 'concSets', n: sets, c, key: `k${c}-` });
      conc.push({ c, rate: r.lat.length / (r.wallMs / 1000), p99: pct(r.lat, 0.99), failed: r.failed });
    }
    const g = await first.run<{ lat: number[] }>({ cmd: 'gets', n: sets, key: 'seq', quorum: true });
    return {
      name: `ours-${n}-${ledger}`, seqRate: s.lat.length / (s.lat.reduce((a, b) => a + b, 0) / 1000), seqP50: pct(s.lat, 0.5), seqP99: pct(s.lat, 0.99),
      conc, getP50: pct(g.lat, 0.5), getP99: pct(g.lat, 0.99),
    };
  } finally {
    await Promise.all(nodes.map((x) => x.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Mem { heapMB: number; rssMB: number; anonMB: number; fileMB: number; keys: number }

/** Fill n nodes with `keys` keys (32 writers), then restart the first node and time it until it is back in its quorum. */
async function benchKeys(n: number, base: number, keys: number): Promise<string> {
  const nodes: ChildNode[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'storage-keys-'));
  const ports = Array.from({ length: n }, (_, i) => base + i);
  const ledgerOf = (p: number): string => `lmdb:${join(dir, String(p))}`;
  try {
    await startOurs(nodes, n, base, ledgerOf);
    const f = await nodes[0]!.run<{ wallMs: number; failed: number; firstRate: number; lastRate: number }>({ cmd: 'fill', from: 0, n: keys, c: 32, edge: Math.min(10_000, keys / 10) });
    const mem = await Promise.all(nodes.map((x) => x.run<Mem>({ cmd: 'mem' })));
    const du = spawnSync('du', ['-sm', dir], { encoding: 'utf8' }).stdout.split('\t')[0];
    await nodes[0]!.close();
    const t0 = performance.now();
    nodes[0] = await ChildNode.start(base, ports, ledgerOf(base));
    const startMs = performance.now() - t0;
    await waitFor(async () => (await nodes[0]!.run<number>({ cmd: 'quorum' })) === n, 10_000, 'restarted node in its quorum');
    const quorumMs = performance.now() - t0;
    const after = await nodes[0]!.run<Mem>({ cmd: 'mem' });
    const g = await nodes[0]!.run<{ wallMs: number; failed: number; firstRate: number; lastRate: number }>({ cmd: 'fill', from: keys, n: Math.min(20_000, keys), c: 32, edge: 5000 });
    const m = (x: Mem): string => `RSS ${x.rssMB.toFixed(0)} MB (anon ${x.anonMB.toFixed(0)}, file-mapped ${x.fileMB.toFixed(0)}), heap ${x.heapMB.toFixed(0)} MB, ${x.keys} keys`;
    return [
      `ours-${n}-lmdb, ${keys} keys by 32 writers: ${(keys / (f.wallMs / 1000)).toFixed(0)} sets/s overall, first ${f.firstRate.toFixed(0)}/s, last ${f.lastRate.toFixed(0)}/s, ${f.failed} failed; ledgers on disk ${du} MB`,
      ...mem.map((x, i) => `  node ${i} at the end: ${m(x)}`),
      `  restart of node 0: process up and joined in ${startMs.toFixed(0)} ms (in its quorum after ${quorumMs.toFixed(0)} ms); ` +
        `inside the process: ledger open ${nodes[0]!.startTimes.openMs.toFixed(0)} ms, node start and join ${nodes[0]!.startTimes.startMs.toFixed(0)} ms ` +
        `(the rest is Node and tsx compiling the sources); then ${m(after)}`,
      `  after the restart: ${g.firstRate.toFixed(0)} sets/s (first 5000 new keys), ${g.lastRate.toFixed(0)}/s (last 5000), ${g.failed} failed`,
    ].join('\n');
  } finally {
    await Promise.all(nodes.map((x) => x.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(rows: readonly Row[]): string {
  const f = (x: number, d = 0): string => x.toFixed(d);
  const head = '| row | seq sets/s | seq p50 ms | seq p99 ms | 8 writers sets/s | p99 ms | 32 writers sets/s | p99 ms | read p50 ms | read p99 ms | failed |';
  const lines = rows.map((r) => `| ${r.name} | ${f(r.seqRate)} | ${f(r.seqP50, 2)} | ${f(r.seqP99, 2)} | ${r.conc.map((c) => `${f(c.rate)} | ${f(c.p99, 2)}`).join(' | ')} | ${f(r.getP50, 2)} | ${f(r.getP99, 2)} | ${r.conc.reduce((a, c) => a + c.failed, 0)} |`);
  return [head, head.replace(/[^|]+/g, '---'), ...lines].join('\n');
}

const args = process.argv.slice(2);
const keysAt = args.indexOf('--keys');
const keys = keysAt >= 0 ? Number(args[keysAt + 1]) : 0;
const sets = Number(args.find((a, i) => /^\d+$/.test(a) && (keysAt < 0 || i !== keysAt + 1)) ?? 2000);
const haveEtcd = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
const rows: Row[] = [];
const tableRows = !args.includes('--keys-only');
if (!tableRows) { /* only the --keys runs */ } else if (haveEtcd.status === 0) {
  console.log(haveEtcd.stdout.split('\n')[0]);
  rows.push(await benchEtcd(1, 48600, sets), await benchEtcd(3, 48610, sets));
} else console.log('etcd not installed (apt-get install -y etcd-server): etcd rows skipped');
if (tableRows) {
rows.push(await benchOurs(1, 48620, sets, 'lmdb'), await benchOurs(3, 48630, sets, 'lmdb'), await benchOurs(3, 48640, sets, 'memory'));
console.log(`${sets} sets per row (concurrent rows: ${sets} in all); ours timed in the node, etcd over its HTTP gateway`);
console.log(table(rows));
const by = (name: string): Row | undefined => rows.find((r) => r.name === name);
const e3 = by('etcd-3'); const o3 = by('ours-3-lmdb')!; const m3 = by('ours-3-memory')!;
if (e3) console.log(`ratios at 3 nodes, ours-lmdb / etcd: sequential ${(o3.seqRate / e3.seqRate).toFixed(2)}, 8 writers ${(o3.conc[0]!.rate / e3.conc[0]!.rate).toFixed(2)}, 32 writers ${(o3.conc[1]!.rate / e3.conc[1]!.rate).toFixed(2)}; p99 sequential ${(o3.seqP99 / e3.seqP99).toFixed(2)}`);
console.log(`ours-3 lmdb / memory, 32 writers: ${(o3.conc[1]!.rate / m3.conc[1]!.rate).toFixed(2)}`);
}
// `--keys-nodes 1,3` (default): the cluster sizes filled with --keys keys; `--no-etcd` skips the rows above.
const kn = args.indexOf('--keys-nodes');
const sizes = (kn >= 0 ? args[kn + 1]! : '1,3').split(',').map(Number);
if (keys > 0) for (const n of sizes) console.log(await benchKeys(n, n === 1 ? 48660 : 48670, keys));

// Paxos benchmark on loopback (ports 44000-44999): a cluster of our nodes and, in
// the same run, a cluster of real SWI-Prolog 9.0.4 nodes (library(paxos) over
// udp_broadcast, unicast) doing the same work, at 3 and 5 nodes:
//   - sequential paxos_set on one node: latency p50/p99 and sets per second;
//   - paxos_get on another node (a key it holds: the local read both serve);
//   - change propagation: from the start of a set on the first node to the change
//     event on the last node.
// SWI nodes are driven through a stdin command loop and timed inside Prolog; ours
// run in this process, timed with performance.now().
// Standalone: `npx tsx bench/paxos.ts [sets]` (default 300).
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { equalTerms } from '../src/term/equal.js';
import { atom, int } from '../src/term/build.js';
import type { Term } from '../src/term/types.js';
import { readTerm } from '../src/text/read.js';
import type { PaxosNode } from '../src/paxos/node.js';
import { SwiNode, ourNode, waitFor } from '../test/paxos-support.js';

export interface PaxosBenchRow {
  readonly impl: 'ours' | 'swi';
  readonly nodes: number;
  readonly sets: number;
  readonly failedSets: number;
  readonly setP50: number; // ms
  readonly setP99: number;
  readonly setsPerSec: number;
  readonly getP50: number;
  readonly getP99: number;
  readonly changeP50: number;
  readonly changeP99: number;
  /** Ours only: a read that asks a majority (GetOptions.quorum). */
  readonly quorumGetP50?: number;
  readonly quorumGetP99?: number;
}

function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))]!;
}

const CHANGES = 50;

async function benchOurs(n: number, base: number, sets: number): Promise<PaxosBenchRow> {
  const ports = Array.from({ length: n }, (_, i) => base + i);
  const nodes: PaxosNode[] = [];
  try {
    for (const p of ports) nodes.push(await ourNode(p, ports));
    await waitFor(() => nodes.every((x) => x.property().quorum.length === n), 10_000, 'one quorum');
    const [first, last] = [nodes[0]!, nodes[n - 1]!];
    for (let i = 0; i < 20; i++) await first.set('warm', String(i));
    const lat: number[] = []; let failed = 0;
    for (let i = 1; i <= sets; i++) {
      const t0 = performance.now();
      const ok = await first.set('k', String(i));
      const t1 = performance.now();
      if (ok) lat.push(t1 - t0); else failed++;
    }
    await waitFor(() => last.ledgerRecord('k') !== undefined, 2000, 'k replicated');
    const gets: number[] = []; const qgets: number[] = [];
    for (let i = 0; i < sets; i++) {
      const t0 = performance.now();
      await last.get('k');
      gets.push(performance.now() - t0);
    }
    for (let i = 0; i < Math.min(sets, 100); i++) {
      const t0 = performance.now();
      await last.get('k', { quorum: true });
      qgets.push(performance.now() - t0);
    }
    const changes: number[] = [];
    for (let i = 1; i <= CHANGES; i++) {
      const t0 = performance.now();
      const seen = new Promise<number>((res) => {
        const off = last.onChange('chg', int(i), () => { off(); res(performance.now()); });
      });
      await first.set(atom('chg'), int(i));
      changes.push((await seen) - t0);
    }
    const total = lat.reduce((a, b) => a + b, 0) / 1000;
    return {
      impl: 'ours', nodes: n, sets, failedSets: failed, setP50: pct(lat, 0.5), setP99: pct(lat, 0.99), setsPerSec: lat.length / total,
      getP50: pct(gets, 0.5), getP99: pct(gets, 0.99), changeP50: pct(changes, 0.5), changeP99: pct(changes, 0.99),
      quorumGetP50: pct(qgets, 0.5), quorumGetP99: pct(qgets, 0.99),
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
  const ports = Array.from({ length: n }, (_, i) => base + i);
  const nodes: SwiNode[] = [];
  try {
    for (const p of ports) nodes.push(await SwiNode.start(p, ports));
    const want = (1n << BigInt(n)) - 1n;
    await waitFor(async () => (await Promise.all(nodes.map((x) => x.quorum()))).every((q) => q === want), 10_000, 'one SWI quorum');
    const [first, last] = [nodes[0]!, nodes[n - 1]!];
    await first.query('bench_set(20, warm, _)');
    const arg = (r: string | undefined, i: number): Term | undefined => {
      const t = r === undefined ? undefined : readTerm(r);
      return t?.kind === 'compound' ? t.args[i] : undefined;
    };
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
      impl: 'swi', nodes: n, sets, failedSets: sets - lat.length, setP50: pct(lat, 0.5), setP99: pct(lat, 0.99), setsPerSec: lat.length / total,
      getP50: pct(gets, 0.5), getP99: pct(gets, 0.99), changeP50: pct(changes, 0.5), changeP99: pct(changes, 0.99),
    };
  } finally {
    for (const x of nodes) x.kill();
  }
}

/** Our 3- and 5-node clusters and SWI's, one after the other (never at once: 2 shared cores). */
export async function benchPaxos(sets = 300): Promise<PaxosBenchRow[]> {
  const rows: PaxosBenchRow[] = [];
  rows.push(await benchOurs(3, 44001, sets));
  rows.push(await benchSwi(3, 44021, sets));
  rows.push(await benchOurs(5, 44041, sets));
  rows.push(await benchSwi(5, 44061, sets));
  return rows;
}

export function formatPaxosBench(rows: readonly PaxosBenchRow[]): string {
  const f = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : x < 1 ? x.toFixed(3) : x.toFixed(1));
  const head = '| impl | nodes | sets ok/total | set p50 ms | set p99 ms | sets/s | get p50 ms | get p99 ms | quorum get p50/p99 ms | change p50 ms | change p99 ms |';
  const sep = '|---|---|---|---|---|---|---|---|---|---|---|';
  const lines = rows.map((r) => `| ${r.impl} | ${r.nodes} | ${r.sets - r.failedSets}/${r.sets} | ${f(r.setP50)} | ${f(r.setP99)} | ${r.setsPerSec.toFixed(0)} | ${f(r.getP50)} | ${f(r.getP99)} | ${r.quorumGetP50 === undefined ? '-' : `${f(r.quorumGetP50)}/${f(r.quorumGetP99)}`} | ${f(r.changeP50)} | ${f(r.changeP99)} |`);
  return [head, sep, ...lines].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sets = Number(process.argv[2] ?? 300);
  const rows = await benchPaxos(sets);
  console.log(formatPaxosBench(rows));
  process.exit(0);
}

// Compaction of delete tombstones with real node processes, inside a network namespace
// of their own (launch.ts puts this script there): three `prolog-paxos node` processes
// with LMDB ledgers, fixed ids and `--compact-grace 1`. Keys are deleted while one node
// is cut off (nftables); that node is killed -9 and restarted on its ledger, which still
// holds the old values. Once healed, the tombstones are compacted on every node (the
// ledgers shrink), and no node answers an old value, locally or by quorum, nor after a
// new set of one key.
// Usage: node --import tsx test/jepsen/compaction-run.ts '{"basePort":47120}'; prints the result as JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryOp } from '../support/linearizability.js';
import { httpDelete, httpGet, httpSet, runWhenMain } from './client.js';
import { applyFaults, clearFaults } from './netns.js';
import { OurMember } from './processes.js';

export interface CompactionRunResult {
  readonly deleted: HistoryOp['outcome'][];
  /** Keys in each node's ledger (status ledgerSize): after the sets, after the deletes and the restart, at the end. */
  readonly sizes: { readonly before: number[]; readonly deleted: number[]; readonly after: number[] };
  /** Tombstones removed per node (status compacted). */
  readonly compacted: number[];
  /** Every answer, per node, local then quorum, for every deleted key once compacted (null: absent). */
  readonly answers: (string | null | undefined)[];
  /** Answers for the kept keys. */
  readonly kept: (string | null | undefined)[];
  /** The set of a compacted key afterwards, and every node's quorum answer for it. */
  readonly reset: { readonly outcome: HistoryOp['outcome']; readonly answers: (string | null | undefined)[] };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const TMO = 5000;
const KEYS = 20;

async function status(m: OurMember): Promise<{ ledgerSize: number; compacted?: number }> {
  const r = await fetch(`http://127.0.0.1:${m.admin}/status`, { signal: AbortSignal.timeout(TMO) });
  return (await r.json()) as { ledgerSize: number; compacted?: number };
}

async function reads(nodes: readonly OurMember[], keys: readonly string[]): Promise<(string | null | undefined)[]> {
  const out: (string | null | undefined)[] = [];
  for (const k of keys) {
    for (const m of nodes) {
      for (const quorum of [false, true]) {
        const r = await httpGet(m, k, quorum, TMO);
        out.push(r.ok ? r.value : undefined);
      }
    }
  }
  return out;
}

export async function run(o: { basePort?: number }): Promise<CompactionRunResult> {
  const base = o.basePort ?? 47120;
  const ports = [base, base + 1, base + 2];
  const dir = mkdtempSync(join(tmpdir(), 'jepsen-compaction-'));
  const nodes = ports.map((p, i) => new OurMember(i, p, p + 100, ports, dir, ['--compact-grace', '1']));
  const gone = Array.from({ length: KEYS }, (_, i) => `gone(${i})`);
  const keep = Array.from({ length: 3 }, (_, i) => `keep(${i})`);
  try {
    clearFaults();
    for (const m of nodes) await m.start();
    const [a, b, c] = nodes as [OurMember, OurMember, OurMember];
    for (const k of [...gone, ...keep]) if (await httpSet(a, k, 'old_value', TMO, () => {}) !== 'ok') throw new Error(`set ${k} failed`);
    // Until every node holds every key.
    for (let i = 0; i < 100 && (await reads(nodes, [...gone, ...keep])).some((v) => v !== 'old_value'); i++) await sleep(100);
    const before = await Promise.all(nodes.map(async (m) => (await status(m)).ledgerSize));

    applyFaults(ports, { drop: 0, groups: [[c.port], [a.port, b.port]] });
    const deleted: HistoryOp['outcome'][] = [];
    for (const k of gone) deleted.push(await httpDelete(a, k, TMO));
    await sleep(3000); // beyond the grace: a and b must still keep the tombstones c lacks
    const deletedSizes = await Promise.all([a, b].map(async (m) => (await status(m)).ledgerSize));
    c.kill9();
    clearFaults();
    await c.start(60_000); // on its ledger, which still holds old_value for every key
    deletedSizes.push((await status(c)).ledgerSize);

    // Until every node compacted every tombstone (60 s at most).
    let compacted = [0, 0, 0];
    for (let i = 0; i < 300; i++) {
      compacted = await Promise.all(nodes.map(async (m) => (await status(m)).compacted ?? 0));
      if (compacted.every((n) => n >= KEYS)) break;
      await sleep(200);
    }
    await sleep(2000);
    const after = await Promise.all(nodes.map(async (m) => (await status(m)).ledgerSize));
    const answers = await reads(nodes, gone);
    const kept = await reads(nodes, keep);
    const outcome = await httpSet(b, gone[0]!, 'new_value', TMO, () => {});
    await sleep(1000);
    const resetAnswers: (string | null | undefined)[] = [];
    for (const m of nodes) { const r = await httpGet(m, gone[0]!, true, TMO); resetAnswers.push(r.ok ? r.value : undefined); }
    return { deleted, sizes: { before, deleted: deletedSizes, after }, compacted, answers, kept, reset: { outcome, answers: resetAnswers } };
  } finally {
    clearFaults();
    await Promise.all(nodes.map((m) => m.stop().catch(() => {})));
    rmSync(dir, { recursive: true, force: true });
  }
}

runWhenMain(import.meta.url, 'compaction', run);

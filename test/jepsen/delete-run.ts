// Deletes with real node processes under faults, inside a network namespace of their own
// (launch.ts puts this script there): three `prolog-paxos node` processes with LMDB
// ledgers and fixed ids.
//  - partitioned: a key is deleted while one node is cut off (nftables), and that node is
//    then killed -9 and restarted on its ledger; once healed, no node may answer the old
//    value, locally or by quorum;
//  - concurrent: a set and a delete of one key start together on two nodes; once settled,
//    every node answers the same, and an acknowledged operation's effect is that answer
//    unless the other one was acknowledged too.
// Usage: node --import tsx test/jepsen/delete-run.ts '{"basePort":47810}'; prints the result as JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryOp } from '../support/linearizability.js';
import { httpDelete, httpGet, httpSet, runWhenMain } from './client.js';
import { applyFaults, clearFaults } from './netns.js';
import { OurMember } from './processes.js';

export interface DeleteRunResult {
  /** Per node, after healing and the restart: [local, quorum] answer for the deleted key (null: absent). */
  readonly partitioned: { readonly deleted: HistoryOp['outcome']; readonly answers: (readonly [string | null | undefined, string | null | undefined])[] };
  /** Per key: the set's and the delete's outcomes, and every node's quorum and local answers once settled. */
  readonly concurrent: { readonly key: string; readonly set: HistoryOp['outcome']; readonly del: HistoryOp['outcome']; readonly answers: (string | null | undefined)[] }[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const TMO = 5000;

async function answers(nodes: readonly OurMember[], key: string): Promise<(readonly [string | null | undefined, string | null | undefined])[]> {
  return Promise.all(nodes.map(async (m) => {
    const l = await httpGet(m, key, false, TMO);
    const q = await httpGet(m, key, true, TMO);
    return [l.ok ? l.value : undefined, q.ok ? q.value : undefined] as const;
  }));
}

/** Until every node answers alike, locally and by quorum (or 10 s pass). */
async function settled(nodes: readonly OurMember[], key: string): Promise<(readonly [string | null | undefined, string | null | undefined])[]> {
  let a = await answers(nodes, key);
  for (let i = 0; i < 50 && !a.every(([l, q]) => l !== undefined && l === q && q === a[0]![1]); i++) {
    await sleep(200);
    a = await answers(nodes, key);
  }
  return a;
}

export async function run(o: { basePort?: number }): Promise<DeleteRunResult> {
  const base = o.basePort ?? 47810;
  const ports = [base, base + 1, base + 2];
  const dir = mkdtempSync(join(tmpdir(), 'jepsen-delete-'));
  const nodes = ports.map((p, i) => new OurMember(i, p, p + 1000, ports, dir));
  try {
    clearFaults();
    for (const m of nodes) await m.start();
    const [a, b, c] = nodes as [OurMember, OurMember, OurMember];

    // ------------------------------------------------------------ partitioned
    if (await httpSet(a, 'gone(1)', 'old_value', TMO, () => {}) !== 'ok') throw new Error('the first set failed');
    await settled(nodes, 'gone(1)');
    applyFaults(ports, { drop: 0, groups: [[c.port], [a.port, b.port]] });
    const deleted = await httpDelete(a, 'gone(1)', TMO);
    await httpSet(b, 'other(1)', 'during_the_cut', TMO, () => {});
    c.kill9();
    clearFaults();
    await c.start(60_000); // on its ledger, which still holds old_value
    const partitioned = { deleted, answers: await settled(nodes, 'gone(1)') };

    // ------------------------------------------------------------ concurrent
    const concurrent: DeleteRunResult['concurrent'][number][] = [];
    for (let i = 0; i < 12; i++) {
      const key = `race(${i})`;
      await httpSet(a, key, 'before', TMO, () => {});
      const [x, y] = i % 2 === 0 ? [a, b] : [b, a];
      const [set, del] = await Promise.all([httpSet(x, key, `after(${i})`, TMO, () => {}), httpDelete(y, key, TMO)]);
      const s = await settled(nodes, key);
      concurrent.push({ key, set, del, answers: s.flatMap(([l, q]) => [l, q]) });
    }
    return { partitioned, concurrent };
  } finally {
    clearFaults();
    await Promise.all(nodes.map((m) => m.stop().catch(() => {})));
    rmSync(dir, { recursive: true, force: true });
  }
}

runWhenMain(import.meta.url, 'delete', run);

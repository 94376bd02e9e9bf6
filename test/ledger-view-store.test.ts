// The machine's ledger view over a store (records read on demand through a tiny
// cache, writes in an overlay until durable) answers exactly as the in-memory view
// on random operation sequences, with writes resolving late and out of step; after
// every write resolved the store holds what the view holds. Real LMDB and memory stores.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compound, int } from '../src/term/build.js';
import { LedgerView, type LedgerOp } from '../src/paxos/ledger-view.js';
import { LmdbLedger, MemoryLedger, type RecordStore } from '../src/store/index.js';
import { mulberry32 } from '../src/util/prng.js';

async function compare(store: RecordStore, seed: number): Promise<void> {
  const random = mulberry32(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  let t = 1000;
  const mem = new LedgerView('ours', () => t);
  const view = new LedgerView('ours', () => t, store, 3);
  const inflight: { ops: LedgerOp[]; done: Promise<unknown> }[] = [];
  const flushSome = async (all: boolean): Promise<void> => {
    while (inflight.length > 0 && (all || random() < 0.5)) {
      const w = inflight.shift()!;
      await w.done;
      view.durable(w.ops);
    }
  };
  for (let i = 0; i < 600; i++) {
    t += 1;
    const key = compound('k', int(pick(8)));
    const gen = 1 + pick(12);
    const value = int(pick(3));
    const holders = BigInt(pick(8));
    const op = pick(5);
    const forgotten = 1n << BigInt(pick(3));
    const r1 = [() => mem.prepare(key, value), () => mem.accept(key, gen, value), () => mem.confirm(key, gen, value, holders), () => mem.learn(key, gen, value), () => mem.forget(forgotten)][op]!();
    const r2 = [() => view.prepare(key, value), () => view.accept(key, gen, value), () => view.confirm(key, gen, value, holders), () => view.learn(key, gen, value), () => view.forget(forgotten)][op]!();
    expect(r2, `op ${op} at step ${i} (seed ${seed})`).to.deep.equal(r1);
    const ops = view.drain();
    mem.drain();
    if (ops.length > 0) {
      inflight.push({ ops, done: Promise.all(ops.map((o) => (o.op === 'put' ? store.write(o.key, o.recs) : store.clearHolders(o.nodes)))) });
    }
    await flushSome(false);
    for (let k = 0; k < 8; k++) {
      const kk = compound('k', int(k));
      expect(view.entries(kk), `entries of k(${k}) at step ${i} (seed ${seed})`).to.deep.equal(mem.entries(kk));
    }
    expect([...view.unconfirmed()].length).to.equal([...mem.unconfirmed()].length);
    expect(view.size).to.equal(mem.size);
    const nodes = BigInt(1 + pick(7));
    const lack = (v: LedgerView): string[] => [...v.lacking(nodes)].map((e) => `${JSON.stringify(e.key)}@${e.gen}`).sort();
    expect(lack(view)).to.deep.equal(lack(mem));
  }
  await flushSome(true);
  for (let k = 0; k < 8; k++) {
    const kk = compound('k', int(k));
    expect(store.read(kk)).to.deep.equal(mem.entries(kk));
  }
  expect([...store.pendingKeys()].length).to.equal([...mem.unconfirmed()].length);
}

describe('paxos ledger view over a store (records on demand)', function () {
  this.timeout(60000);
  it('over a MemoryLedger: the same answers as the in-memory view, 5 seeds', async () => {
    for (let seed = 1; seed <= 5; seed++) await compare(new MemoryLedger(), seed);
  });
  it('over an LmdbLedger: the same answers, and the store ends with the same records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'view-store-'));
    try {
      for (let seed = 11; seed <= 13; seed++) {
        const l = LmdbLedger.open(join(dir, String(seed)));
        try { await compare(l, seed); } finally { await l.close(); }
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

// Compaction of delete tombstones with real node processes under faults
// (test/jepsen/compaction-run.ts, in a network namespace this test creates).
import { expect } from 'chai';
import type { CompactionRunResult } from './jepsen/compaction-run.js';
import { describeFaultRun } from './support/fault-suite.js';

const KEYS = 20;

describeFaultRun<CompactionRunResult>('compaction with real node processes under faults (network namespace, nftables, kill -9)',
  new URL('./jepsen/compaction-run.ts', import.meta.url), { basePort: 47120 }, { tag: 'jepsen-cmp', limitMs: 200_000 }, (result) => {
  let r: CompactionRunResult;
  beforeEach(() => { r = result(); });

  it('keeps the tombstones while a member lacks them, then removes them from every ledger', () => {
    expect(r.deleted, 'every delete acknowledged with a majority').to.deep.equal(Array(KEYS).fill('ok'));
    // While c was cut off, a and b kept every key (value or tombstone).
    for (const [i, n] of r.sizes.deleted.entries()) expect(n, `node ${i} while c was away`).to.be.at.least(r.sizes.before[i]!);
    expect(r.compacted, JSON.stringify(r.sizes)).to.deep.equal(Array(3).fill(KEYS));
    for (const [i, n] of r.sizes.after.entries()) expect(n, `node ${i}: ${JSON.stringify(r.sizes)}`).to.equal(r.sizes.before[i]! - KEYS + 2); // + the cluster epoch and the local compaction record
  });

  it('the node that was away during the delete, restarted on its ledger, never answers an old value', () => {
    expect(r.answers, JSON.stringify(r.answers)).to.deep.equal(Array(KEYS * 6).fill(null));
    expect(r.kept).to.deep.equal(Array(3 * 6).fill('old_value'));
  });

  it('a set of a compacted key afterwards is what every node answers', () => {
    expect(r.reset.outcome).to.equal('ok');
    expect(r.reset.answers).to.deep.equal(Array(3).fill('new_value'));
  });
});

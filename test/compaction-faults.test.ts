// Compaction of delete tombstones with real node processes under faults
// (test/jepsen/compaction-run.ts, in a network namespace this test creates).
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { CompactionRunResult } from './jepsen/compaction-run.js';
import { inNamespace } from './jepsen/launch.js';
import { canRunFaults } from './jepsen/netns.js';

const RUN = fileURLToPath(new URL('./jepsen/compaction-run.ts', import.meta.url));
const can = canRunFaults();
const KEYS = 20;

describe('compaction with real node processes under faults (network namespace, nftables, kill -9)', function () {
  this.timeout(240_000);
  if (!can.ok) {
    it(`skipped: needs root, ip and nft to create a network namespace (${can.why})`, function () { this.skip(); });
    return;
  }
  let r: CompactionRunResult;
  before(async () => {
    r = await inNamespace<CompactionRunResult>(RUN, { basePort: 47120 }, `jepsen-cmp-${process.pid}`, 200_000);
  });

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

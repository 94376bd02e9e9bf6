// Deletes with real node processes under faults (test/jepsen/delete-run.ts, in a network
// namespace this test creates): a node cut off during a delete, then killed -9 and
// restarted on its ledger, never answers the deleted value; a set and a delete racing on
// two nodes end in one answer on every node.
import { expect } from 'chai';
import type { DeleteRunResult } from './jepsen/delete-run.js';
import { describeFaultRun } from './support/fault-suite.js';

describeFaultRun<DeleteRunResult>('delete with real node processes under faults (network namespace, nftables, kill -9)',
  new URL('./jepsen/delete-run.ts', import.meta.url), { basePort: 47810 }, { tag: 'jepsen-del', limitMs: 150_000 }, (result) => {
  let r: DeleteRunResult;
  beforeEach(() => { r = result(); });

  it('a node cut off during the delete, then killed and restarted on its ledger, answers the key absent like the others', () => {
    expect(r.partitioned.deleted, 'the delete was acknowledged with a majority').to.equal('ok');
    expect(r.partitioned.answers, JSON.stringify(r.partitioned.answers)).to.deep.equal([[null, null], [null, null], [null, null]]);
  });

  it('a set and a delete started together on two nodes end in one answer on every node, locally and by quorum', () => {
    for (const c of r.concurrent) {
      const why = JSON.stringify(c);
      expect(c.answers.every((a) => a !== undefined && a === c.answers[0]), why).to.equal(true);
      const final = c.answers[0];
      // Only one acknowledged: its effect is what every node answers.
      if (c.set === 'ok' && c.del !== 'ok') expect(final, why).to.not.equal(null);
      if (c.del === 'ok' && c.set !== 'ok') expect(final, why).to.equal(null);
      expect(final === null || final === `after(${c.key.slice(5, -1)})` || final === 'before', why).to.equal(true);
      if (c.set === 'ok' || c.del === 'ok') expect(final, `${why}: an acknowledged operation came after 'before'`).to.not.equal('before');
    }
  });
});

// Delete next to a real SWI-Prolog 9.0.4 node (ports 47820-47829): 2 of ours + 1 swipl,
// unicast on loopback. A delete is a paxos set of the tombstone '$paxos_deleted'
// (departure 16), so the SWI node reads a deleted key as that atom, and an SWI set of
// that atom deletes the key for our nodes; a later set from either side brings it back.
import { expect } from 'chai';
import { atom } from '../src/term/build.js';
import { equalTerms } from '../src/term/equal.js';
import type { PaxosNode } from '../src/paxos/node.js';
import { requireSwipl } from './support/swipl.js';
import { SwiNode, ourNode, sameTerm, waitFor } from './paxos-support.js';

const PORTS = [47820, 47821, 47822];

describe('delete in a mixed cluster: 2 of ours and a real swipl node', function () {
  this.timeout(60_000);
  let swi: SwiNode | undefined;
  const ours: PaxosNode[] = [];

  before(async function () {
    requireSwipl(this);
    ours.push(await ourNode(PORTS[0]!, PORTS));
    ours.push(await ourNode(PORTS[1]!, PORTS));
    swi = await SwiNode.start(PORTS[2]!, PORTS);
    await waitFor(async () => (await swi!.quorum()) === 7n && ours.every((n) => n.property().quorum.length === 3), 10_000, 'one quorum of three');
  });
  after(async () => {
    await Promise.all(ours.map((n) => n.close()));
    await swi?.quit();
  });

  it('our delete: SWI reads the tombstone atom; our nodes read the key absent', async () => {
    await ours[0]!.set('session(1)', 'alive');
    await waitFor(async () => sameTerm(await swi!.get('session(1)'), 'alive'), 5000, 'swi has the value');
    await ours[1]!.delete('session(1)');
    await waitFor(async () => equalTerms((await swi!.get('session(1)')) ?? atom('none'), atom('$paxos_deleted')), 5000, "swi reads '$paxos_deleted'");
    for (const n of ours) expect(await n.get('session(1)', { quorum: true })).to.equal(undefined);
    for (const n of ours) expect(await n.get('session(1)')).to.equal(undefined);
  });

  it("an SWI set of '$paxos_deleted' deletes the key for our nodes, and an SWI set after it brings the key back", async () => {
    await ours[0]!.set('session(2)', 'alive');
    expect(await swi!.set('session(2)', "'$paxos_deleted'")).to.equal(true);
    await waitFor(async () => (await ours[1]!.get('session(2)', { quorum: true })) === undefined, 5000, 'deleted for ours');
    expect(await swi!.set('session(2)', 'again')).to.equal(true);
    await waitFor(async () => sameTerm(await ours[0]!.get('session(2)', { quorum: true }), 'again'), 5000, 'back for ours');
  });
});

// Load: 5 of our nodes, each its own process but the proposer, and 8 set loops at
// once on the proposer (each its own key). A proposer that answers at majority
// (departure 12) must not run ahead of its slower members without bound: their
// backlog would grow until replies miss response_timeout, members get scored
// failed, then dead, and the quorum churns (seen at this load before the bound).
// Asserted: every set succeeds, and no member is ever dead or out of the quorum (a
// member may be scored failed now and then: a reply later than 20 ms on a loaded
// machine). Ports 42700-42704.
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { atom, int } from '../src/term/build.js';
import type { PaxosNode } from '../src/paxos/node.js';
import { ourNode, startNodeProcess, waitFor } from './paxos-support.js';

describe('paxos node: 8 concurrent set loops on 5 nodes', function () {
  this.timeout(90_000);
  const children: ChildProcess[] = [];
  let node: PaxosNode | undefined;
  after(async () => {
    await node?.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('every set succeeds and the membership stays whole (no member dead, the quorum intact)', async () => {
    const ports = [42700, 42701, 42702, 42703, 42704];
    for (const p of ports.slice(1)) children.push((await startNodeProcess(p, ports, 'plain')).proc);
    node = await ourNode(ports[0]!, ports);
    const n = node;
    await waitFor(() => n.property().quorum.length === 5, 10_000, 'a quorum of 5');
    let failed = 0;
    let troubled = '';
    const watch = setInterval(() => {
      const p = n.property();
      if (!troubled && (p.dead.length > 0 || p.quorum.length < 5)) troubled = JSON.stringify(p);
    }, 10);
    try {
      // Bounded: 8 x 400 sets, and a deadline.
      const end = Date.now() + 60_000;
      await Promise.all(Array.from({ length: 8 }, async (_, c) => {
        for (let i = 1; i <= 400 && Date.now() < end; i++) if (!(await n.trySet(atom(`load${c}`), int(i))).ok) failed++;
      }));
    } finally {
      clearInterval(watch);
    }
    expect(failed, 'failed sets').to.equal(0);
    expect(troubled, 'membership trouble seen').to.equal('');
    for (let c = 0; c < 8; c++) expect(n.ledgerRecord(atom(`load${c}`))?.value).to.deep.equal(int(400));
  });
});

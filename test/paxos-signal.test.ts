// Defect 8: SIGTERM skips SWI's at_halt(paxos_leave). Our node started with
// handleSignals leaves cleanly on SIGTERM: its id leaves the quorum at once and the
// remaining two members keep writing. Without handleSignals (as SWI) the id stays in
// the quorum until failure detection. Ports 42500-42519.
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import type { PaxosNode } from '../src/paxos/node.js';
import { ourNode, startNodeProcess as startChild, waitFor } from './paxos-support.js';

const exited = (p: ChildProcess): Promise<number | null> =>
  p.exitCode !== null || p.signalCode !== null ? Promise.resolve(p.exitCode) : new Promise((r) => p.once('exit', (c) => r(c)));

describe('paxos node: SIGTERM (defect 8)', function () {
  this.timeout(40_000);
  const nodes: PaxosNode[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  async function cluster(base: number, mode: 'signals' | 'plain'): Promise<{ child: ChildProcess; childId: number }> {
    const ports = [base, base + 1, base + 2];
    nodes.push(await ourNode(ports[0]!, ports), await ourNode(ports[1]!, ports));
    const { proc, id } = await startChild(ports[2]!, ports, mode);
    children.push(proc);
    await waitFor(() => nodes.every((n) => n.property().quorum.includes(id)), 5000, 'child in quorum');
    expect(await nodes[0]!.set('before', '1')).to.equal(true);
    return { child: proc, childId: id };
  }

  it('with handleSignals, a SIGTERMed node leaves cleanly and the remaining two members keep writing', async () => {
    const { child, childId } = await cluster(42501, 'signals');
    child.kill('SIGTERM');
    expect(await exited(child), 'exit code').to.equal(0);
    // The leave itself removed it (not failure detection, which takes many missed rounds).
    for (const n of nodes) {
      expect(n.property().quorum, 'quorum right after exit').to.not.include(childId);
      await waitFor(() => n.property().dead.includes(childId), 1000, 'dead includes the child');
    }
    for (let i = 0; i < 5; i++) expect(await nodes[i % 2]!.set('after', String(i))).to.equal(true);
    expect(await nodes[1]!.get('after')).to.deep.equal({ kind: 'int', value: 4 });
  });

  it('without handleSignals (as SWI on SIGTERM) the dead node stays in the quorum', async () => {
    const { child, childId } = await cluster(42511, 'plain');
    child.kill('SIGTERM');
    await exited(child);
    await new Promise((r) => setTimeout(r, 500));
    for (const n of nodes) expect(n.property().quorum).to.include(childId);
  });
});

// The package's cluster API for applications (src/cluster): startCluster's options
// reach the node as the command's flags do, and its mistakes are named as options.
// Real nodes over UDP on loopback, in this process. Ports 47650-47669.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, UsageError, atom, int, startCluster } from '../src/index.js';

describe('startCluster: a node in the application\'s process from typed options', function () {
  this.timeout(60_000);
  const open: Cluster[] = [];
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });

  it('joins two in-process nodes from their peers, with settings under SWI names, durable in `data`; health and metrics from the node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pp-cluster-api-'));
    try {
      const peers = ['127.0.0.1:47650', '127.0.0.1:47651'];
      open.push(await startCluster({ port: 47650, peers, nodeId: 0, data: join(dir, 'a'), settings: { response_timeout: 2 } }));
      open.push(await startCluster({ port: 47651, peers, memory: true }));
      const [a, b] = open as [Cluster, Cluster];
      expect(await a.set(atom('k'), int(1))).to.include({ ok: true });
      expect(await b.read(atom('k'), { quorum: true })).to.deep.include({ ok: true, value: int(1) });
      expect((await a.status()).node).to.equal(0);
      expect((await b.status()).quorum).to.have.length(2);
      expect(a.health!()).to.include({ ok: true, quorum: 2 });
      const m = await a.metrics!();
      expect(m.text).to.match(/^paxos_up 1$/m);
    } finally {
      for (const c of open.splice(0)) await c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options with a UsageError naming the option as its flag, and a taken port with the system\'s error', async () => {
    const bad = (o: Parameters<typeof startCluster>[0]): Promise<string> =>
      startCluster(o).then(() => 'started', (e: Error) => `${e instanceof UsageError ? 'UsageError' : e.name}: ${e.message}`);
    expect(await bad({ port: 70000, memory: true })).to.equal('UsageError: --port: port out of range: 70000');
    expect(await bad({ memory: true, nodeId: 1 })).to.match(/^UsageError: --node-id needs a durable ledger/);
    expect(await bad({ memory: true, settings: { response_timeout: -1 } })).to.equal('UsageError: --response-timeout: expected a number > 0, got -1');
    open.push(await startCluster({ port: 47652, peers: ['127.0.0.1:47652'], memory: true }));
    expect(await bad({ port: 47652, memory: true })).to.match(/EADDRINUSE/);
  });
});

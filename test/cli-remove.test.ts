// `prolog-paxos remove --node ID`: the failure detector never evicts a member
// (docs/paxos-departures.md, 15), so one that is gone for good is taken out by hand.
// Real node processes on loopback UDP (ports 45900-45909), durable ledgers.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, runCli } from './cli-support.js';
import { waitFor } from './paxos-support.js';

describe('prolog-paxos remove: a member gone for good leaves the quorum by hand', function () {
  this.timeout(120_000);
  const UDP = [45901, 45902, 45903];
  const ADMIN = ['127.0.0.1:45905', '127.0.0.1:45906', '127.0.0.1:45907'];
  const peers = UDP.flatMap((p) => ['--peer', `127.0.0.1:${p}`]);
  const procs: CliProcess[] = [];
  let dir: string;
  const start = async (i: number): Promise<void> => {
    procs[i] = new CliProcess(['node', '--port', String(UDP[i]), ...peers, '--admin', ADMIN[i]!, '--node-id', String(i), '--data', join(dir, `d${i}`)]);
    await procs[i]!.waitFor(/"msg":"node ready"/);
  };
  const cli = (i: number, argv: string[]): ReturnType<typeof runCli> => runCli([...argv, '--admin', ADMIN[i]!]);
  const quorum = async (i: number): Promise<number[]> => (JSON.parse((await cli(i, ['status', '--json'])).stdout) as { quorum: number[] }).quorum;

  before(() => { dir = mkdtempSync(join(tmpdir(), 'pp-remove-')); });
  after(async () => {
    for (const p of procs) await p?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a killed member stays in the quorum (no eviction) until `remove --node` takes it out; then a majority of two is two', async () => {
    for (const i of [0, 1, 2]) await start(i);
    await waitFor(async () => (await quorum(0)).length === 3, 5000, 'three members');
    await procs[2]!.stop('SIGKILL');
    expect((await cli(0, ['set', 'r(1)', '1'])).code).to.equal(0);
    // Seconds later, the dead member still counts: majorities stay over all three.
    await new Promise((r) => setTimeout(r, 2500));
    expect(await quorum(0)).to.deep.equal([0, 1, 2]);

    expect((await cli(0, ['remove'])).code).to.equal(2); // --node is required
    expect(await cli(0, ['remove', '--node', '2'])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    await waitFor(async () => (await quorum(0)).join() === '0,1' && (await quorum(1)).join() === '0,1', 5000, 'both see the quorum without 2');
    expect((await cli(1, ['set', 'r(2)', '2'])).code).to.equal(0);

    // With node 1 gone too, a majority of {0, 1} cannot be had: the set is refused, not acknowledged alone.
    await procs[1]!.stop('SIGKILL');
    const alone = await cli(0, ['set', 'r(3)', '3']);
    expect(alone.code, alone.stderr).to.not.equal(0);
    const bad = await fetch(`http://${ADMIN[0]}/remove?node=x`, { method: 'POST' });
    expect([bad.status, (await bad.text()).trim()]).to.deep.equal([400, 'node must be a node id, got x']);
  });
});

// `prolog-paxos status` as a user reads it, against a real node process (ports
// 47482-47483): the quorum is a list of members (not a size), and the key count
// leaves out paxos's own membership keys and deleted keys; the JSON keeps its
// fields (ledgerSize still counts every key) and adds `keys`.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, runBin } from './cli-support.js';

const ADMIN = '127.0.0.1:47483';

describe('cli: status output', function () {
  this.timeout(60_000);
  let dir: string;
  let node: CliProcess;
  const bin = (argv: string[]): ReturnType<typeof runBin> => runBin([...argv, '--admin', ADMIN], { dist: true });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pp-status-'));
    node = new CliProcess(['node', '--port', '47482', '--admin', ADMIN, '--data', join(dir, 'd')], { cwd: dir, dist: true });
    await node.waitFor(/"msg":"node ready"/);
  });
  after(async () => {
    await node.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists quorum members in brackets and counts only keys users set', async () => {
    for (const k of ['a', 'b', 'c']) expect((await bin(['set', k, '1'])).code).to.equal(0);
    expect((await bin(['del', 'b'])).code).to.equal(0);
    const json = JSON.parse((await bin(['status', '--json'])).stdout) as { node: number; quorum: number[]; ledgerSize: number; keys: number };
    expect(json.keys).to.equal(2);
    expect(json.ledgerSize, "ledgerSize counts '$paxos_quorum' and the deleted b").to.equal(4);
    const text = (await bin(['status'])).stdout;
    expect(text).to.match(new RegExp(`^quorum   \\[${json.node}\\] \\(1 member\\)$`, 'm'));
    expect(text).to.match(/^failed   none$/m);
    expect(text).to.match(/^keys     2 \(the ledger holds 4 keys: paxos's membership keys and deleted ones too\)$/m);
    expect(text).to.not.match(/quorum +\d/);
  });
});

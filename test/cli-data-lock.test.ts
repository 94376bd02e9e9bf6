// One data directory, one node: the built binary as real processes on loopback
// (ports 47460-47469). A second `prolog-paxos node` on a directory in use exits 1 at
// once with one line naming the directory and the holder's pid; a node killed with
// SIGKILL leaves a stale lock that the next node takes over; and `backup` (a reader)
// still copies the ledger while its node runs.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, runBin } from './cli-support.js';

const BASE = 47460;
const udp = (i: number): number => BASE + 2 * i;
const admin = (i: number): string => `127.0.0.1:${BASE + 2 * i + 1}`;

describe('cli: the data-directory lock (real processes)', function () {
  this.timeout(90_000);
  let dir: string;
  let data: string;
  const nodes: CliProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pp-lock-'));
    data = join(dir, 'ledger');
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  });

  function node(i: number): CliProcess {
    const n = new CliProcess(['node', '--port', String(udp(i)), '--admin', admin(i), '--data', data], { cwd: dir, dist: true });
    nodes.push(n);
    return n;
  }

  it('a second node on the same --data exits 1 with one line naming the directory and the pid', async () => {
    const first = node(0);
    await first.waitFor(/"msg":"node ready"/);
    const second = node(1);
    expect(await second.exited).to.equal(1);
    expect(second.stdout).to.equal('');
    expect(second.stderr).to.equal(
      `prolog-paxos node: ledger directory ${data} is in use by process ${first.proc.pid}: each node needs its own data directory: ` +
        'stop that node, or give this one --data DIR (or --memory)\n',
    );
    // The first node is unharmed.
    const set = await runBin(['set', '--admin', admin(0), 'k', 'v'], { dist: true });
    expect(set.code, set.stderr).to.equal(0);
  });

  it('after SIGKILL the stale lock is taken over by the next node, which keeps the agreed values', async () => {
    const first = node(0);
    await first.waitFor(/"msg":"node ready"/);
    expect((await runBin(['set', '--admin', admin(0), 'kept', 'yes'], { dist: true })).code).to.equal(0);
    expect(await first.stop('SIGKILL')).to.equal(-1);
    expect(readFileSync(join(data, 'writer.lock'), 'latin1').trim(), 'SIGKILL left the lock behind').to.equal(String(first.proc.pid));
    const next = node(1);
    await next.waitFor(/"msg":"node ready"/);
    expect(readFileSync(join(data, 'writer.lock'), 'latin1').trim()).to.equal(String(next.proc.pid));
    const get = await runBin(['get', '--admin', admin(1), 'kept'], { dist: true });
    expect(get).to.deep.equal({ code: 0, stdout: 'yes\n', stderr: '' });
    expect(await next.stop('SIGTERM')).to.equal(0);
    expect(existsSync(join(data, 'writer.lock')), 'a clean stop releases the lock').to.equal(false);
  });

  it('backup --data DIR DEST copies the ledger while its node runs, and the copy starts as a node', async () => {
    const first = node(0);
    await first.waitFor(/"msg":"node ready"/);
    expect((await runBin(['set', '--admin', admin(0), 'user(1)', "'Ann'"], { dist: true })).code).to.equal(0);
    const dest = join(dir, 'copy');
    const backup = await runBin(['backup', '--data', data, dest], { dist: true });
    expect(backup).to.deep.equal({ code: 0, stdout: `backed up ${data} into ${dest}\n`, stderr: '' });
    expect(existsSync(join(dest, 'writer.lock')), 'the copy is not locked by anyone').to.equal(false);
    // The node still serves after the backup.
    expect((await runBin(['set', '--admin', admin(0), 'user(2)', "'Bo'"], { dist: true })).code).to.equal(0);
    const restored = new CliProcess(['node', '--port', String(udp(1)), '--admin', admin(1), '--data', dest], { cwd: dir, dist: true });
    nodes.push(restored);
    await restored.waitFor(/"msg":"node ready"/);
    expect(await runBin(['get', '--admin', admin(1), 'user(1)'], { dist: true })).to.deep.equal({ code: 0, stdout: "'Ann'\n", stderr: '' });
  });
});

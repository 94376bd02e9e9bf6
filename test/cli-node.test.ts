// `prolog-paxos node` as a real process with a real paxos node and durable ledger,
// driven by the client commands and the console as real processes too.
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, logLines, runCli } from './cli-support.js';

const UDP = 43100;
const ADMIN = '127.0.0.1:43101';
const ENV = { PROLOG_PAXOS_PORT: String(UDP), PROLOG_PAXOS_ADMIN: ADMIN };

/** Run a client command as a process to completion. */
async function client(argv: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = new CliProcess(argv, { env: ENV });
  if (stdin !== undefined) p.proc.stdin!.end(stdin);
  else p.proc.stdin!.end();
  const code = await p.exited;
  return { code, stdout: p.stdout, stderr: p.stderr };
}

describe('cli: prolog-paxos node with a durable ledger', function () {
  this.timeout(90_000);
  let dir: string;
  let node: CliProcess | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pp-node-'));
  });
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with no flags (ports from the environment) a single-node cluster in ./paxos-data, serves clients, and stops cleanly on SIGTERM', async () => {
    node = new CliProcess(['node'], { env: ENV, cwd: dir });
    await node.waitFor(/"msg":"node ready"/);
    const ready = logLines(node.stderr).find((l) => l.msg === 'node ready')!;
    expect(ready).to.include({ udp: `127.0.0.1:${UDP}`, admin: ADMIN, ledger: join(dir, 'paxos-data') });
    expect(existsSync(join(dir, 'paxos-data'))).to.equal(true);

    // The client commands in-process (their process wiring is the same main()); one as a process.
    const run = (argv: string[]): ReturnType<typeof runCli> => runCli(argv, { env: ENV });
    expect(await run(['set', 'user(42)', "profile('Ann', [admin, dev], 0.5)"])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(await run(['get', 'user(42)'])).to.deep.equal({ code: 0, stdout: "profile('Ann',[admin,dev],0.5)\n", stderr: '' });
    expect(await client(['get', 'user(43)'])).to.deep.equal({ code: 1, stdout: '', stderr: 'prolog-paxos get: no agreed value for user(43)\n' });
    expect((await run(['get', 'user(43'])).code).to.equal(2);
    expect((await run(['keys', 'user(_)'])).stdout).to.equal('user(42)\n');
    const status = JSON.parse((await run(['status', '--json'])).stdout);
    expect(status.quorum).to.have.length(1);
    expect(status.quorum).to.include(status.node);
    expect(status.ledgerSize).to.be.greaterThan(0);
    // Bad requests never hurt the node.
    expect((await fetch(`http://${ADMIN}/get?key=%FF%FE(`)).status).to.equal(400);
    expect((await fetch(`http://${ADMIN}/set?key=a`, { method: 'PUT', body: 'x'.repeat(2 << 20) }).catch(() => ({ status: 413 }))).status).to.equal(413);
    expect((await run(['get', 'user(42)'])).code).to.equal(0);

    expect(await node.stop('SIGTERM')).to.equal(0);
    const lines = logLines(node.stderr);
    expect(lines.slice(-2).map((l) => l.msg)).to.deep.equal(['leaving the cluster', 'stopped']);
    expect(lines.every((l) => (l.level as number) >= 30), 'quiet by default: no protocol traffic').to.equal(true);
  });

  it('keeps agreed values across a restart, and leaves on SIGINT', async () => {
    node = new CliProcess(['node'], { env: ENV, cwd: dir });
    await node.waitFor(/"msg":"node ready"/);
    expect((await runCli(['get', 'user(42)'], { env: ENV })).stdout).to.equal("profile('Ann',[admin,dev],0.5)\n");
    expect(await node.stop('SIGINT')).to.equal(0);
  });

  it('watches changes and runs a piped console session', async () => {
    node = new CliProcess(['node', '--memory', '--verbose'], { env: ENV, cwd: dir });
    await node.waitFor(/"msg":"node ready"/);
    const watch = new CliProcess(['watch', 'temp(_)'], { env: ENV });
    try {
      await node.waitFor(/"msg":"watch opened"/); // logged at debug level (--verbose)
      const con = await client(['console'], 'temp(oslo) := -3.\ntemp(oslo).\nother := 1.\nf(a b).\nkeys.\n');
      expect(con.code).to.equal(0);
      expect(con.stdout).to.equal('true.\ntemp(oslo):= -3.\ntrue.\nother\ntemp(oslo)\n% 2 keys\n');
      expect(con.stderr).to.equal('Syntax error: Operator expected at line 1, column 5\nf(a b).\n    ^\n');
      await watch.waitFor(/temp\(oslo\)/, 20_000, 'stdout');
      expect(await watch.stop('SIGINT')).to.equal(0);
      expect(watch.stdout).to.equal('temp(oslo):= -3.\n');
      // --verbose: the protocol traffic of that set, as Prolog text.
      expect(logLines(node.stderr).some((l) => l.msg === 'paxos' && /^paxos\(accept\(temp\(oslo\),/.test(String(l.term)))).to.equal(true);
    } finally {
      await watch.stop('SIGKILL');
    }
  });

  it('exits 2 with one line on bad node flags, and 1 with one line when its ports are taken', async () => {
    const bad = new CliProcess(['node', '--port', 'x'], { env: ENV, cwd: dir });
    expect(await bad.exited).to.equal(2);
    expect(bad.stderr).to.equal('prolog-paxos node: --port: not a port number: x\n');
    node = new CliProcess(['node', '--memory'], { env: ENV, cwd: dir });
    await node.waitFor(/"msg":"node ready"/);
    const second = new CliProcess(['node', '--memory', '--port', String(UDP + 2)], { env: ENV, cwd: dir });
    expect(await second.exited).to.equal(1);
    // One readable line naming the flag to change, not a logged stack trace.
    expect(second.stderr.split('\n').filter((l) => l.startsWith('prolog-paxos node:'))).to.deep.equal([
      `prolog-paxos node: admin API ${ADMIN} is already in use (another node?): choose another --admin HOST:PORT`,
    ]);
    expect(second.stderr).to.not.match(/\n\s+at /);
  });
});

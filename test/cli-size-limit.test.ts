// The size limit of a set, as a user meets it: the built binary as real processes on
// loopback (ports 47470-47479). Key and value travel in one UDP datagram; a value from
// --file or stdin is not bound by the argument list; a too-large value gets one message
// from the CLI (exit 2, nothing sent) and from HTTP PUT /set (413), and is never set.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, runBin } from './cli-support.js';
import { MAX_KEY_VALUE_BYTES } from '../src/paxos/size-limit.js';

const ADMIN = '127.0.0.1:47471';
const TOO_LARGE = /^value too large: key and value take (\d+|more than 1048576) bytes, and a paxos message carries both in one UDP datagram, which leaves at most 64995 bytes for them$/;

describe('cli: the size limit of key and value (real processes)', function () {
  this.timeout(90_000);
  let dir: string;
  let node: CliProcess;
  const bin = (argv: string[], stdin?: string): ReturnType<typeof runBin> =>
    runBin([...argv, '--admin', ADMIN], { dist: true, cwd: dir, ...(stdin !== undefined && { stdin }) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pp-size-'));
    node = new CliProcess(['node', '--memory', '--port', '47470', '--admin', ADMIN], { cwd: dir, dist: true });
    await node.waitFor(/"msg":"node ready"/);
  });
  after(async () => {
    await node.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets a value near the limit from --file and from stdin (-), and reads it back', async () => {
    expect(MAX_KEY_VALUE_BYTES).to.equal(64995);
    const text = `"${'x'.repeat(60_000)}"`;
    writeFileSync(join(dir, 'v.pl'), text + '\n');
    expect(await bin(['set', 'big(file)', '--file', 'v.pl'])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect(await bin(['set', 'big(stdin)', '-'], text + '.\n')).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    for (const k of ['big(file)', 'big(stdin)']) expect((await bin(['get', k])).stdout).to.equal(text + '\n');
    expect(await bin(['set', 'dash', "'-'"])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
  });

  it('refuses a too-large value with one message, exit 2 from the CLI and 413 from HTTP, and never sets it', async () => {
    const over = `"${'y'.repeat(70_000)}"`; // past the datagram, under the body limit
    writeFileSync(join(dir, 'over.pl'), over);
    const huge = `"${'z'.repeat(2 << 20)}"`; // 2 MB: past the body limit too
    writeFileSync(join(dir, 'huge.pl'), huge);
    const cli = await bin(['set', 'over', '--file', 'over.pl']);
    expect(cli.code).to.equal(2);
    expect(cli.stderr).to.match(/^prolog-paxos set: /);
    const line = cli.stderr.slice('prolog-paxos set: '.length).trimEnd();
    expect(line).to.match(TOO_LARGE).and.include('70006 bytes');
    const res = await fetch(`http://${ADMIN}/set?key=over`, { method: 'PUT', body: over });
    expect(res.status).to.equal(413);
    expect((await res.text()).trimEnd()).to.equal(line);
    const stdin = await bin(['set', 'over', '-'], over);
    expect(stdin).to.deep.equal(cli);

    const big = await bin(['set', 'huge', '--file', 'huge.pl']);
    expect(big.code).to.equal(2);
    expect(big.stderr).to.equal('prolog-paxos set: value too large: key and value take more than 1048576 bytes, and a paxos message carries both in one UDP datagram, which leaves at most 64995 bytes for them\n');
    const res2 = await fetch(`http://${ADMIN}/set?key=huge`, { method: 'PUT', body: huge }).catch(() => undefined);
    if (res2 !== undefined) { // the node may reset the upload after answering
      expect(res2.status).to.equal(413);
      expect((await res2.text()).trimEnd()).to.equal(big.stderr.slice('prolog-paxos set: '.length).trimEnd());
    }
    for (const k of ['over', 'huge']) {
      expect(await bin(['get', k])).to.deep.equal({ code: 1, stdout: '', stderr: `prolog-paxos get: no agreed value for ${k}\n` });
    }
    expect((await bin(['set', 'k', '--file', 'missing.pl'])).code).to.equal(2);
  });

  it('a node whose codec makes the text longer (--wide-text escape) measures the wire, and refuses before any message', async () => {
    const admin = '127.0.0.1:47473';
    const esc = new CliProcess(['node', '--memory', '--port', '47472', '--admin', admin, '--wide-text', 'escape'], { cwd: dir, dist: true });
    try {
      await esc.waitFor(/"msg":"node ready"/);
      const euros = `"${'€'.repeat(20_000)}"`; // 60,002 bytes of UTF-8 text; each € is 7 bytes escaped
      const r = await runBin(['set', 'eur', '-', '--admin', admin], { dist: true, stdin: euros });
      expect(r.code).to.equal(2);
      const m = /^prolog-paxos set: (.*)\n$/.exec(r.stderr);
      expect(m?.[1]).to.match(TOO_LARGE);
      expect(Number(/take (\d+) bytes/.exec(m![1]!)![1])).to.be.greaterThan(140_000);
      expect((await runBin(['get', 'eur', '--admin', admin], { dist: true })).code).to.equal(1);
      expect((await runBin(['set', 'eur', '"€"', '--admin', admin], { dist: true })).code).to.equal(0);
    } finally {
      await esc.stop('SIGKILL');
    }
  });
});

// The `prolog-paxos` command line: help, unknown commands, and the `term` subcommand.
import { expect } from 'chai';
import { runCli } from './cli-support.js';

describe('cli dispatch', () => {
  it('prints usage: to stdout with exit 0 when asked, to stderr with exit 2 when no command is given', async () => {
    const help = await runCli(['--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^usage: prolog-paxos COMMAND/);
    for (const cmd of ['node', 'set', 'get', 'keys', 'watch', 'status', 'console', 'term']) {
      expect(help.stdout).to.match(new RegExp(`^  ${cmd}\\b`, 'm'));
    }
    const none = await runCli([]);
    expect(none.code).to.equal(2);
    expect(none.stdout).to.equal('');
    expect(none.stderr).to.match(/^usage: prolog-paxos COMMAND/);
  });

  it('exits 2 on an unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).to.equal(2);
    expect(r.stderr.split('\n')[0]).to.equal('prolog-paxos: unknown command frobnicate');
  });

  it('gives each command its own --help', async () => {
    for (const cmd of ['node', 'set', 'get', 'keys', 'watch', 'status', 'console', 'term']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code, cmd).to.equal(0);
      expect(r.stdout, cmd).to.match(new RegExp(`^usage: prolog-paxos ${cmd}\\b`));
    }
  });

  it('delegates `term` to the term tool', async () => {
    const r = await runCli(['term', '--to', 'canonical'], { stdin: "f(X, 'a b', [1|T]).\n" });
    expect(r).to.deep.equal({ code: 0, stdout: "f(_,'a b',[1|_])\n", stderr: '' });
  });
});

// Client commands and the console, in-process, against an admin API over a fake
// cluster: exit codes, messages, output formats. The same commands against real
// nodes, as processes, are in test/cli-node.test.ts.
import { expect } from 'chai';
import { atom, compound, int } from '../src/term/index.js';
import { useFakeAdmin } from './cli-fake-cluster.js';
import { runCli } from './cli-support.js';

const PORT = 43030;
const ADMIN = `127.0.0.1:${PORT}`;

describe('cli client commands over a fake cluster', () => {
  const { cluster } = useFakeAdmin(PORT);

  it('sets and gets with exit 0, a silent set and the value in writeq form', async () => {
    const set = await runCli(['set', 'user(1)', "person('Ann', age(41))", '--admin', ADMIN]);
    expect(set).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    const get = await runCli(['get', 'user(1).', '--admin', ADMIN]);
    expect(get).to.deep.equal({ code: 0, stdout: "person('Ann',age(41))\n", stderr: '' });
  });

  it('finds the admin API through PROLOG_PAXOS_ADMIN', async () => {
    await cluster().set(atom('k'), int(7));
    const get = await runCli(['get', 'k'], { env: { PROLOG_PAXOS_ADMIN: ADMIN } });
    expect(get.stdout).to.equal('7\n');
  });

  it('exits 1 with one line for an unknown key and for a set not chosen, 3 for a set of unknown outcome', async () => {
    expect(await runCli(['get', 'missing', '--admin', ADMIN])).to.deep.equal({
      code: 1, stdout: '', stderr: 'prolog-paxos get: no agreed value for missing\n',
    });
    cluster().agree = false;
    expect(await runCli(['set', 'a', '1', '--admin', ADMIN])).to.deep.equal({
      code: 1, stdout: '', stderr: 'prolog-paxos set: not chosen for a: fake cluster told to disagree\n',
    });
    cluster().failure = 'unknown';
    expect(await runCli(['set', 'a', '1', '--admin', ADMIN])).to.deep.equal({
      code: 3, stdout: '',
      stderr: 'prolog-paxos set: outcome unknown for a: fake cluster told to disagree (it may have been chosen: read the key before writing again)\n',
    });
    cluster().failure = 'rejected';
  });

  it('deletes a key with del: exit 0, then get exits 1; 1 or 3 when the delete is not acknowledged', async () => {
    expect((await runCli(['set', 'a', '1', '--admin', ADMIN])).code).to.equal(0);
    expect(await runCli(['del', 'a', '--admin', ADMIN])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
    expect((await runCli(['get', 'a', '--admin', ADMIN])).code).to.equal(1);
    expect((await runCli(['del', 'X', '--admin', ADMIN])).code).to.equal(2);
    cluster().agree = false;
    expect(await runCli(['del', 'a', '--admin', ADMIN])).to.deep.equal({
      code: 1, stdout: '', stderr: 'prolog-paxos del: not chosen for a: fake cluster told to disagree\n',
    });
    cluster().failure = 'unknown';
    expect((await runCli(['del', 'a', '--admin', ADMIN])).code).to.equal(3);
    cluster().failure = 'rejected';
  });

  it('exits 1 when no node answers', async () => {
    const r = await runCli(['status', '--admin', '127.0.0.1:43039']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^prolog-paxos status: cannot reach the node's admin API at 127\.0\.0\.1:43039: ECONNREFUSED\n$/);
  });

  it('exits 2 with the position of a syntax error, before any request', async () => {
    const r = await runCli(['set', 'ok', 'f(a,,b)', '--admin', ADMIN]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.equal('prolog-paxos set: VALUE: Syntax error: Operand expected, unquoted comma or bar found at line 1, column 5\n');
    expect(cluster().data.size).to.equal(0);
  });

  it('exits 2 on usage errors, with one line', async () => {
    for (const argv of [['set', 'a'], ['get'], ['get', 'a', 'b'], ['get', 'f(X)'], ['set', 'a', 'f(_)'], ['keys', '--bogus'], ['frob'], ['get', 'a', '--admin', 'nope']]) {
      const r = await runCli([...argv, ...(argv.includes('--admin') ? [] : ['--admin', ADMIN])]);
      expect(r.code, argv.join(' ')).to.equal(2);
      expect(r.stderr.split('\n')[0], argv.join(' ')).to.match(/^prolog-paxos/);
    }
  });

  it('lists keys by pattern, as text or JSON lines', async () => {
    await cluster().set(compound('user', int(2)), atom('b'));
    await cluster().set(compound('user', int(1)), atom('a'));
    await cluster().set(atom('z'), atom('c'));
    expect((await runCli(['keys', 'user(_)', '--admin', ADMIN])).stdout).to.equal('user(1)\nuser(2)\n');
    expect((await runCli(['keys', '--admin', ADMIN])).stdout).to.equal('z\nuser(1)\nuser(2)\n');
    const j = (await runCli(['keys', 'z', '--json', '--admin', ADMIN])).stdout;
    expect(JSON.parse(j)).to.deep.equal({ key: { text: 'z', term: { atom: 'z' } }, value: { text: 'c', term: { atom: 'c' } } });
  });

  it('prints status for people and as JSON', async () => {
    const r = await runCli(['status', '--admin', ADMIN]);
    expect(r.stdout).to.match(/^admin +127\.0\.0\.1:43030\nnode +0\n/m);
    expect(r.stdout).to.match(/^quorum +\[0\] \(1 member\)$/m);
    expect(r.stdout, "a fake without the keys field: the ledger size").to.match(/^ledger +0 keys$/m);
    const j = JSON.parse((await runCli(['status', '--json', '--admin', ADMIN])).stdout);
    expect(j).to.include({ node: 0, ledgerSize: 0 });
  });

  it('watches changes until interrupted, then exits 0', async () => {
    const ac = new AbortController();
    const run = runCli(['watch', 'temp(_)', '--admin', ADMIN], { interrupt: ac.signal });
    for (let i = 0; i < 100 && cluster().watcherCount === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await cluster().set(compound('temp', atom(' x')), int(1));
    await cluster().set(atom('other'), int(2));
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    expect(await run).to.deep.equal({ code: 0, stdout: "temp(' x'):=1.\n", stderr: '' });
  });

  it('runs console statements from piped input: set, get, keys, errors with a caret', async () => {
    const input = [
      "colour(sky) := blue.",
      "colour(sky).",
      "get(colour(sky)).",
      "colour(grass) :=",
      "   green.  colour(sea).",
      "f(a b).",
      "keys(colour(_)).",
      "g(X) := 1.",
      "g := f(X).",
      "halt.",
      "never := reached.",
    ].join('\n') + '\n';
    const r = await runCli(['console', '--admin', ADMIN], { stdin: input });
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal([
      'true.',
      'colour(sky):=blue.',
      'colour(sky):=blue.',
      'true.',
      'no agreed value for colour(sea).',
      'colour(grass)',
      'colour(sky)',
      '% 2 keys',
      '',
    ].join('\n'));
    const err = r.stderr.split('\n');
    expect(err.slice(0, 3)).to.deep.equal(['Syntax error: Operator expected at line 1, column 5', 'f(a b).', '    ^']);
    expect(err[3]).to.match(/^key must be ground: g\(_\w*\)$/);
    expect(err[4]).to.match(/^value must be ground: f\(_\w*\)$/);
    expect(err.slice(5)).to.deep.equal(['']);
    expect(await cluster().get(atom('never'))).to.equal(undefined);
  });
});

// `prolog-paxos term`: stdin clauses to one term per line, errors as LINE:COL.
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { termCommand } from '../src/cli/term.js';
import { requireSwipl, Swipl } from './support/swipl.js';

async function run(args: string[], input: string): Promise<{ code: number; out: string; err: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
  stdin.end(input);
  const code = await termCommand(args, { stdin, stdout, stderr });
  return { code, out, err };
}

const TEXT = `foo(X, Y, _Z, X) :- \\+ bar(Y), [1,2|T] = "s", T == 'a b'.
a- (-1).  x{a:1}. 'hello'(1.0e10, -0.0, 1r3).
[H|T] --> {H > 0}, T.
`;

describe('term command', function () {
  let swipl: Swipl;
  before(async function () {
    requireSwipl(this);
    swipl = await Swipl.start();
  });
  after(async () => swipl?.close());

  for (const form of ['canonical', 'wire'] as const) {
    it(`--to ${form} writes each clause as swipl does`, async () => {
      const r = await run(['--to', form], TEXT);
      expect(r.err).to.equal('');
      expect(r.code).to.equal(0);
      const goal = form === 'canonical' ? 'write_canonical(T)' : 'write_term(T, [quoted(true), ignore_ops(true)])';
      const codes = `[${Array.from(TEXT, (c) => c.codePointAt(0)).join(',')}]`;
      const theirs = await swipl.output(
        `atom_codes(A, ${codes}), open_string(A, S), repeat, read_term(S, T, []), (T == end_of_file -> ! ; ${goal}, nl, fail)`,
      );
      const norm = (s: string): string => s.replace(/\b_G?[0-9]+/g, '_');
      expect(norm(r.out)).to.equal(norm(theirs));
    });
  }

  it('--to write writes each clause as swipl\'s write/1 with the source variable names (no quotes)', async () => {
    const r = await run(['--to', 'write'], TEXT);
    expect(r.err).to.equal('');
    expect(r.code).to.equal(0);
    const codes = `[${Array.from(TEXT, (c) => c.codePointAt(0)).join(',')}]`;
    const theirs = await swipl.output(
      `atom_codes(A, ${codes}), open_string(A, S), repeat, read_term(S, T, [variable_names(N)]), (T == end_of_file -> ! ; write_term(T, [variable_names(N), portray(false), numbervars(true)]), nl, fail)`,
    );
    expect(r.out).to.equal(theirs);
    expect(r.out).to.include("T==a b").and.not.include("'a b'");
  });

  it('--to writeq keeps source variable names', async () => {
    const r = await run(['--to', 'writeq'], 'f(X, Y, X, _).\n');
    expect(r.out).to.match(/^f\(X,Y,X,_[0-9]+\)\n$/);
  });

  it('reports a syntax error as LINE:COL and stops with status 1', async () => {
    const r = await run(['--to', 'writeq'], 'a.\nb(.\nc.\n');
    expect(r.code).to.equal(1);
    expect(r.out).to.equal('a\n');
    expect(r.err).to.match(/^2:\d+: Syntax error: Unexpected end of clause\n$/);
  });

  it('--keep-going reports the error and goes on', async () => {
    const r = await run(['--to', 'writeq', '--keep-going'], 'a.\nb(.\nc.\n');
    expect(r.code).to.equal(1);
    expect(r.out).to.equal('a\nc\n');
    expect(r.err.split('\n').filter(Boolean)).to.have.length(1);
  });

  it('--to json writes JSON, and an error for terms without a JSON form', async () => {
    const r = await run(['--to', 'json', '--keep-going'], '[1, 2.5, "x", true]. _{a:"b"}. f(x). [null].\n');
    expect(r.out).to.equal('[1,2.5,"x",true]\n{"a":"b"}\n[null]\n');
    expect(r.err).to.match(/^clause 3: no JSON form/);
    expect(r.code).to.equal(1);
  });

  it('rejects an unknown form with usage status 2', async () => {
    const r = await run(['--to', 'yaml'], '');
    expect(r.code).to.equal(2);
    expect(r.err).to.contain('unknown form yaml');
  });
});

// Issue 13 item 6: `:- op/3` directives in a text hold for the clauses after them, as
// consult/1 has it. Each text is loaded by a real swipl (load_files/2, a term_expansion
// hook writing every term it reads with writeq) and fed to our `term` command; the
// lines must be the same, byte for byte.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { termCommand } from '../src/cli/term.js';
import { atom, compound } from '../src/term/build.js';
import { OpTable } from '../src/text/ops.js';
import { readClauses, readTerms } from '../src/text/read.js';
import { writeTerm } from '../src/text/write.js';
import { requireSwipl } from './support/swipl.js';

const DRIVER = String.raw`
:- multifile user:term_expansion/2.
:- dynamic user:term_expansion/2.
user:term_expansion(T, _) :-
    nb_current(recording, true), T \== begin_of_file, T \== end_of_file,
    prolog_load_context(module, M), % writeq, with the operators of the module being loaded
    write_term(user_output, T, [quoted(true), numbervars(true), portray(true), module(M)]), nl(user_output), fail.
main :- getenv('OPDIR_FILE', File), nb_setval(recording, true), load_files(File, [silent(true)]).
`;

/** What swipl's consult reads from `text`, one writeq line per term (errors on stderr). */
function swiConsult(dir: string, name: string, text: string): string {
  const file = join(dir, `${name}.pl`);
  writeFileSync(file, text);
  const r = spawnSync('swipl', ['-q', '-g', 'main', '-t', 'halt', join(dir, 'driver.pl')], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, LANG: 'C.UTF-8', OPDIR_FILE: file },
  });
  if (r.error) throw r.error;
  return r.stdout;
}

async function ours(text: string): Promise<{ code: number; out: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  stdin.end(text);
  const code = await termCommand(['--to', 'writeq', '--keep-going'], { stdin, stdout, stderr: new PassThrough() });
  return { code, out };
}

const TEXTS: Record<string, string> = {
  infix: ':- op(700, xfx, ===>).\na ===> b.\nf(x ===> y, (p ===> q)).\n',
  list_and_conjunction: ':- op(200, xfy, [++, --]), op(100, fx, #).\nx(# a ++ b -- c).\ny(#(#)).\n',
  module_exports: ':- module(opdir_m, [op(700, xfx, <~>), foo/1]).\nfoo(a <~> b).\n',
  removal: ':- op(0, fy, \\+).\nx(\\+(a)).\n:- op(700, fx, ~).\ny(~ a).\n',
  postfix: ':- op(150, xf, ++).\nz(a ++).\nw((a ++) ++, - (1) ++).\n',
  bad_then_good: ':- op(1201, xfx, bad).\n:- op(500, yfx, good).\nx(a good b).\n',
  partial_list: ":- op(700, xfx, [aa, ',', bb]).\nx(p aa q).\n",
  before_use_only: 'x(a ===> b).\n:- op(700, xfx, ===>).\ny(a ===> b).\n',
};

describe('reader: op/3 directives as consult applies them (compared with swipl)', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    requireSwipl(this);
    dir = mkdtempSync(join(tmpdir(), 'opdir-'));
    writeFileSync(join(dir, 'driver.pl'), DRIVER);
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const [name, text] of Object.entries(TEXTS)) {
    it(`term command writes "${name}" as swipl's consult reads it`, async () => {
      const swi = swiConsult(dir, name, text);
      const r = await ours(text);
      expect(r.out).to.equal(swi);
      expect(swi.split('\n').length).to.be.greaterThan(2); // swipl read the clauses after the directive
    });
  }

  it('readTerms applies directives only with applyOps, and never changes `ops`', () => {
    const text = ':- op(700, xfx, ===>).\nx(a ===> b).\n';
    const given = OpTable.swi();
    expect(() => readTerms(text, { ops: given })).to.throw(/Operator expected/);
    expect(given.infix('===>')).to.equal(undefined);
    const table = OpTable.swi();
    const ts = readTerms(text, { applyOps: table });
    expect(writeTerm(ts[1]!, { style: 'canonical' })).to.equal("x(===>(a,b))");
    expect(table.infix('===>')).to.deep.equal({ priority: 700, type: 'xfx' });
    expect(writeTerm(compound('===>', atom('a'), atom('b')), { ops: table })).to.equal('a===>b');
  });

  it('readClauses applies a directive after a syntax error too', () => {
    const got = [...readClauses('x(.\n:- op(700, xfx, ===>).\ny(a ===> b).\n', { applyOps: OpTable.swi() })];
    expect(got.map((r) => (r.error ? 'error' : writeTerm(r.term, { style: 'canonical' }))))
      .to.deep.equal(['error', ':-(op(700,xfx,===>))', 'y(===>(a,b))']);
  });
});

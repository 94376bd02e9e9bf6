// Reader examples with expected terms built by the constructors, the API, deep terms,
// and bad input. Comparisons with swipl are in read-swi-edge and read-property.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import {
  atom, compound, cons, curly, dict, float, int, list, nil, rational, str, codes,
} from '../src/term/build.js';
import type { Term, Var } from '../src/term/types.js';
import { OpTable } from '../src/text/ops.js';
import {
  PrologSyntaxError, readClauses, readTerm, readTermFromBytes, readTerms, readTermWithVars,
} from '../src/text/read.js';

/** Structural equality with variables compared by identity (our own, to not depend on term/equal). */
function same(a: Term, b: Term): boolean {
  const stack: [Term, Term][] = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (x.kind !== y.kind) return false;
    switch (x.kind) {
      case 'atom': if (x.name !== (y as typeof x).name) return false; break;
      case 'int': if (x.value !== (y as typeof x).value) return false; break;
      case 'float': if (!Object.is(x.value, (y as typeof x).value)) return false; break;
      case 'rational': if (x.num !== (y as typeof x).num || x.den !== (y as typeof x).den) return false; break;
      case 'string': if (x.value !== (y as typeof x).value) return false; break;
      case 'nil': break;
      case 'var': if (x !== y) return false; break;
      case 'compound': {
        const z = y as typeof x;
        if (x.name !== z.name || x.args.length !== z.args.length) return false;
        x.args.forEach((t, i) => stack.push([t, z.args[i]!]));
        break;
      }
      case 'dict': {
        const z = y as typeof x;
        if (x.pairs.length !== z.pairs.length) return false;
        stack.push([x.tag, z.tag]);
        x.pairs.forEach((p, i) => { stack.push([p[0], z.pairs[i]![0]]); stack.push([p[1], z.pairs[i]![1]]); });
        break;
      }
    }
  }
  return true;
}

function expectRead(text: string, want: Term): void {
  const got = readTerm(text);
  expect(same(got, want), `${text} read as ${JSON.stringify(got, (_k, v) => typeof v === 'bigint' ? `${v}n` : v)}`).to.equal(true);
}

function syntaxError(f: () => unknown): PrologSyntaxError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(PrologSyntaxError);
    return e as PrologSyntaxError;
  }
  throw new Error('expected a syntax error');
}

describe('reader: examples', () => {
  it('reads atoms, numbers, strings and the reserved []', () => {
    expectRead('foo', atom('foo'));
    expectRead("'hello world'", atom('hello world'));
    expectRead('[]', nil());
    expectRead("'[]'", atom('[]'));
    expectRead('{}', atom('{}'));
    expectRead('42', int(42));
    expectRead('-42', int(-42));
    expectRead('123456789012345678901234567890', int(123456789012345678901234567890n));
    expectRead('-9007199254740993', int(-9007199254740993n));
    expectRead('1.5e3', float(1500));
    expectRead('1.0Inf', float(Infinity));
    expectRead('-1.0Inf', float(-Infinity));
    expectRead('1r3', rational(1n, 3n));
    expectRead('-2r4', rational(-1n, 2n));
    expectRead('"a""b"', str('a"b'));
    expectRead('`ab`', codes('ab'));
    expectRead("0'a", int(97));
    expectRead("0'''", int(39));
    expectRead("0' ", int(32));
    expectRead("16'FF", int(255));
    expectRead('0b101', int(5));
    expectRead('0o17', int(15));
    expectRead('1 000 000', int(1000000));
    expectRead('1_000_000', int(1000000));
    expectRead("'\\x41\\\\101\\\\u00e9\\U0001F600\\e\\s'", atom('AAé😀\x1b '));
  });

  it('reads NaN as a float', () => {
    const t = readTerm('1.5NaN');
    expect(t.kind).to.equal('float');
    expect(Number.isNaN((t as { value: number }).value)).to.equal(true);
  });

  it('reads operators, prefix minus and operators as atoms', () => {
    expectRead('- 1', compound('-', int(1)));
    expectRead('-(1)', compound('-', int(1)));
    expectRead('a- -1', compound('-', atom('a'), int(-1)));
    expectRead('1 - -1', compound('-', int(1), int(-1)));
    expectRead('f(+, -)', compound('f', atom('+'), atom('-')));
    expectRead('- = +', compound('=', atom('-'), atom('+')));
    expectRead('[-]', list([atom('-')]));
    expectRead('a:-b,c;d', compound(':-', atom('a'), compound(';', compound(',', atom('b'), atom('c')), atom('d'))));
    expectRead('(a|b)', compound('|', atom('a'), atom('b')));
    expectRead('1+2*3-4', compound('-', compound('+', int(1), compound('*', int(2), int(3))), int(4)));
    expectRead('2^3^4', compound('^', int(2), compound('^', int(3), int(4))));
    expectRead('\\+ \\+ a', compound('\\+', compound('\\+', atom('a'))));
    expectRead('f()', compound('f'));
  });

  it('reads lists, partial lists, curly terms and dicts', () => {
    expectRead('[a,b]', list([atom('a'), atom('b')]));
    const r = readTermWithVars('[a|T]');
    const T = r.varNames.get('T')!;
    expect(same(r.term, cons(atom('a'), T))).to.equal(true);
    expectRead('{a,b}', curly(compound(',', atom('a'), atom('b'))));
    expectRead('point{y:2, x:1}', dict('point', { x: int(1), y: int(2) }));
    const d = readTerm('_{a:1}');
    expect(d.kind === 'dict' && d.tag.kind === 'var').to.equal(true);
  });

  it('shares named variables within a clause and keeps _ fresh', () => {
    const r = readTermWithVars('f(X, Y, X, _, _, _Z)');
    const [X, Y, X2, A1, A2, Z] = (r.term as unknown as { args: Var[] }).args;
    expect(X).to.equal(X2);
    expect(X).to.not.equal(Y);
    expect(A1).to.not.equal(A2);
    expect([...r.varNames.keys()]).to.deep.equal(['X', 'Y', '_Z']);
    expect(r.varNames.get('_Z')).to.equal(Z);
    const [c1, c2] = readTerms('p(X). q(X).');
    expect((c1 as unknown as { args: Term[] }).args[0]).to.not.equal((c2 as unknown as { args: Term[] }).args[0]);
  });

  it('reads with user-defined operators, per reader', () => {
    const ops = OpTable.swi().op(700, 'xfx', '===>').op(200, 'xf', 'ms');
    expectReadOps('a ===> b', ops, compound('===>', atom('a'), atom('b')));
    expectReadOps('3 ms', ops, compound('ms', int(3)));
    expect(() => readTerm('a ===> b')).to.throw(PrologSyntaxError);
    const noOps = OpTable.empty();
    expect(() => readTerm('a + b', { ops: noOps })).to.throw(PrologSyntaxError);
    expectReadOps('+(a,b)', noOps, compound('+', atom('a'), atom('b')));
  });

  it('reads many clauses with comments', () => {
    const ts = readTerms('a. % one\n/* two */ b :- c.\nd.');
    expect(ts.map((t) => t.kind === 'atom' ? t.name : (t as { name: string }).name)).to.deep.equal(['a', ':-', 'd']);
    expect(readTerms('')).to.deep.equal([]);
    expect(readTerms('  % nothing\n')).to.deep.equal([]);
  });

  it('reports errors with kind, line, column and offset', () => {
    const e = syntaxError(() => readTerm('foo(\n  a b)'));
    expect(e.kind).to.equal('operator_expected');
    expect([e.line, e.column, e.offset]).to.deep.equal([2, 5, 9]);
    expect(syntaxError(() => readTerm('a = b = c')).kind).to.equal('operator_clash');
    expect(syntaxError(() => readTerm("'abc")).kind).to.equal('end_of_file_in_quoted');
    expect(syntaxError(() => readTerm('a. b.')).kind).to.equal('end_of_clause_expected');
    expect(syntaxError(() => readTerms('a. b')).kind).to.equal('end_of_file');
  });

  it('readClauses carries on after a syntax error', () => {
    const rs = [...readClauses('a. b c. f(X, X). d e f. g.')];
    expect(rs.map((r) => (r.error ? `!${r.error.kind}` : r.term.kind))).to.deep.equal([
      'atom', '!operator_expected', 'compound', '!operator_expected', 'atom',
    ]);
    const third = rs[2]!;
    expect(third.error).to.equal(undefined);
    expect([...(third.error ? [] : third.varNames.keys())]).to.deep.equal(['X']);
  });
});

function expectReadOps(text: string, ops: OpTable, want: Term): void {
  expect(same(readTerm(text, { ops }), want), text).to.equal(true);
}

describe('reader: deep and large terms', () => {
  it('reads a 1,000,000-element list', () => {
    const text = '[' + Array.from({ length: 1_000_000 }, (_, i) => String(i % 10)).join(',') + ']';
    let t = readTerm(text);
    let n = 0;
    while (t.kind === 'compound') { n++; t = t.args[1]!; }
    expect(n).to.equal(1_000_000);
    expect(t.kind).to.equal('nil');
  });

  it('reads 100,000-deep a-(a-(...)) and f(f(...)) and an xfy chain', () => {
    const N = 100_000;
    let t = readTerm('a-('.repeat(N) + 'a' + ')'.repeat(N));
    let d = 0;
    while (t.kind === 'compound') { d++; t = t.args[1]!; }
    expect(d).to.equal(N);
    t = readTerm('f('.repeat(N) + 'x' + ')'.repeat(N));
    d = 0;
    while (t.kind === 'compound') { d++; t = t.args[0]!; }
    expect(d).to.equal(N);
    t = readTerm(Array.from({ length: N }, () => 'a').join(':'));
    d = 0;
    while (t.kind === 'compound') { d++; t = t.args[1]!; }
    expect(d).to.equal(N - 1);
    t = readTerm('- '.repeat(N) + 'a');
    d = 0;
    while (t.kind === 'compound') { d++; t = t.args[0]!; }
    expect(d).to.equal(N);
  });

  it('reads deep terms at Node\'s default stack size (child process without --stack-size)', function () {
    this.timeout(60000);
    const script = `
      const { readTerm } = await import(${JSON.stringify(new URL('../src/text/read.ts', import.meta.url).href)});
      const N = 100000;
      const a = readTerm('a-('.repeat(N) + 'a' + ')'.repeat(N));
      const f = readTerm('f('.repeat(N) + 'x' + ')'.repeat(N));
      const l = readTerm('[' + Array(1000000).fill('1').join(',') + ']');
      const c = readTerm('[' .repeat(N) + ']'.repeat(N));
      console.log([a, f, l, c].map((t) => t.kind).join(','));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(r.stderr).to.equal('');
    expect(r.stdout.trim()).to.equal('compound,compound,compound,compound');
  });

  it('reads a 10 MB quoted atom, and reports a 10 MB unterminated one', () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const t = readTerm(`'${big}'`);
    expect(t.kind === 'atom' && t.name.length === big.length).to.equal(true);
    expect(syntaxError(() => readTerm(`'${big}`)).kind).to.equal('end_of_file_in_quoted');
  });
});

describe('reader: bad input never crashes', () => {
  const outcome = (f: () => unknown): string => {
    try {
      f();
      return 'term';
    } catch (e) {
      if (!(e instanceof PrologSyntaxError)) throw e;
      expect(e.line).to.be.greaterThan(0);
      expect(e.column).to.be.greaterThan(0);
      return e.kind;
    }
  };

  it('random strings give a term or a PrologSyntaxError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => { outcome(() => readTerm(s)); }), { numRuns: 3000 });
    const alphabet = fc.constantFrom(...'ab XY_01.,;|()[]{}\'"`\\-+*/=:%!0x\n'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')), (s) => {
      outcome(() => readTerm(s));
      for (const r of readClauses(s)) if (r.error) expect(r.error).to.be.instanceOf(PrologSyntaxError);
    }), { numRuns: 5000 });
  });

  it('every truncation of a valid text gives a term or a PrologSyntaxError', () => {
    const text = "p(X, 'a\\x41\\b', \"s\", [1,2|T], {a}, _{k:v}, 0'c, 1.5e10, -3, - 3, a:-b) :- q, r ; s. % c";
    for (let i = 0; i <= text.length; i++) outcome(() => readTerm(text.slice(0, i)));
  });

  it('random bytes via readTermFromBytes: a term, or a typed error (illegal_utf8 for invalid UTF-8)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 50 }), (b) => { outcome(() => readTermFromBytes(b)); }), { numRuns: 3000 });
    const e = syntaxError(() => readTermFromBytes(new Uint8Array([0x61, 0x28, 0xff, 0x29])));
    expect([e.kind, e.offset]).to.deep.equal(['illegal_utf8', 2]);
    expect(same(readTermFromBytes(new TextEncoder().encode('f(é)')), compound('f', atom('é')))).to.equal(true);
  });
});

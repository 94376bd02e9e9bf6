// The standard order of terms, checked against swipl on random terms, plus the
// model's own invariants (constructors, equality, keys, unification, JSON).
import { expect } from 'chai';
import fc from 'fast-check';
import {
  atom, compareTerms, compound, copyTerm, dict, equalTerms, float, fromJSON, fromTaggedJSON, int, isGround, list,
  listItems, nil, rational, resolve, str, termKey, termVariables, toJSON, toTaggedJSON, unify, variable, type Compound,
  type Term,
} from '../src/term/index.js';
import { useSwipl } from './support/swipl.js';

// An unambiguous Prolog text for a term that relies on no writer of ours: every
// atom quoted with hex escapes, every compound in canonical functional form.
function probe(t: Term): string {
  const esc = (s: string) => [...s].map((c) => /[A-Za-z0-9_ ]/.test(c) ? c : `\\x${c.codePointAt(0)!.toString(16)}\\`).join('');
  switch (t.kind) {
    case 'atom': return `'${esc(t.name)}'`;
    case 'string': return `"${esc(t.value)}"`;
    case 'nil': return '[]';
    case 'int': return `(${t.value})`;
    case 'rational': return `(${t.num}r${t.den})`;
    case 'float':
      if (Number.isNaN(t.value)) return '(1.5NaN)';
      if (!Number.isFinite(t.value)) return t.value > 0 ? '(1.0Inf)' : '(-1.0Inf)';
      if (Object.is(t.value, -0)) return '(-0.0)';
      return `(${floatText(t.value)})`;
    case 'compound': return `'${esc(t.name)}'(${t.args.map(probe).join(',')})`;
    case 'var': return `_V${t.id}`;
    case 'dict': throw new Error('dicts are not probed');
  }
}

function floatText(x: number): string {
  const s = String(x);
  return /[.e]/.test(s) ? s.replace(/e\+?/, '.0e').replace(/\.(\d+)\.0e/, '.$1e') : `${s}.0`;
}

const interestingInts = [0, 1, -1, 2 ** 53, 2 ** 53 + 1, 2 ** 53 + 3, -(2 ** 53), 9007199254740995n, 2n ** 64n, -(2n ** 70n), 10n ** 29n];
const arbNumber: fc.Arbitrary<Term> = fc.oneof(
  fc.integer({ min: -5, max: 5 }).map(int),
  fc.constantFrom(...interestingInts).map((v) => int(v)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(int),
  fc.constantFrom(0, -0, 1, -1, 0.5, 1.5, 2 ** 53, 2 ** 53 + 4, 1e29, NaN, Infinity, -Infinity, 1 / 3, 0.3333333333333333).map(float),
  fc.double().map(float),
  fc.tuple(fc.integer({ min: -7, max: 7 }), fc.integer({ min: 1, max: 7 })).map(([n, d]) => rational(n, d)),
);
const arbText = fc.oneof(
  fc.constantFrom('', 'a', 'b', 'A', 'Z', '[', '[]', 'ab', 'é', '\uffff', '\u{10000}', '\u{1F600}', 'a b'),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const arbLeaf: fc.Arbitrary<Term> = fc.oneof(
  arbNumber,
  arbText.map(atom),
  arbText.map(str),
  fc.constant(nil()),
);
const arbOrderTerm: fc.Arbitrary<Term> = fc.letrec<{ t: Term }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    arbLeaf,
    fc.tuple(fc.constantFrom('f', 'g', '-', '[|]', '{}', 'a', ''), fc.array(tie('t'), { minLength: 0, maxLength: 3 }))
      .map(([n, args]) => compound(n, ...args)),
  ),
})).t;

describe('standard order of terms', () => {
  const swipl = useSwipl(String.raw`
order(L) :- findall(T-I, nth0(I, L, T), Ps), msort(Ps, S), pairs_values(S, Is), write(Is).
cmp(A, B) :- compare(O, A, B), write(O).`);

  it('sorts 2,000 random terms of every kind exactly as msort/2 does', async () => {
    const samples = fc.sample(fc.array(arbOrderTerm, { minLength: 2, maxLength: 20 }), { numRuns: 300, seed: 42 });
    let compared = 0;
    for (const terms of samples) {
      const theirs = JSON.parse(await swipl().output(`order([${terms.map(probe).join(',')}])`)) as number[];
      // Stable sort of the indices, as msort of T-I pairs orders equal terms by index.
      const ours = terms.map((_, i) => i).sort((i, j) => compareTerms(terms[i]!, terms[j]!) || i - j);
      expect(ours, terms.map(probe).join(', ')).to.deep.equal(theirs);
      compared += terms.length;
    }
    expect(compared).to.be.greaterThan(2000);
  });

  it('agrees with compare/3 on the tie rules for mixed numbers', async () => {
    const pairs: [Term, Term][] = [
      [int(1), float(1)], [int(9007199254740995n), float(9007199254740996)], [rational(1, 2), float(0.5)],
      [float(NaN), float(-Infinity)], [float(-0), float(0)], [float(-0), int(0)], [nil(), atom('')],
      [compound('f'), atom('a')], [compound('f'), compound('f', atom('a'))], [str(''), compound('f')],
      [atom('\uffff'), atom('\u{10000}')], [int(10n ** 29n), float(1e29)],
    ];
    for (const [a, b] of pairs) {
      const theirs = await swipl().output(`cmp(${probe(a)}, ${probe(b)})`);
      const ours = compareTerms(a, b);
      expect({ '<': -1, '=': 0, '>': 1 }[theirs], `${probe(a)} vs ${probe(b)}`).to.equal(ours);
    }
  });
});

describe('term model', () => {
  it('keeps integers exact and normalised', () => {
    expect(int(2n ** 10n).value).to.equal(1024);
    expect(int(2n ** 64n).value).to.equal(2n ** 64n);
    expect(int(-0).value).to.equal(0);
    expect(() => int(1.5)).to.throw(/not an integer/);
    expect(rational(2, 4)).to.deep.equal({ kind: 'rational', num: 1n, den: 2n });
    expect(rational(4, -2)).to.deep.equal(int(-2));
  });

  it('distinguishes [] from the atom [] and sorts dict keys', () => {
    expect(equalTerms(nil(), atom('[]'))).to.equal(false);
    const d = dict('t', [['b', int(1)], ['a', int(2)], [3, int(0)]]);
    expect(d.pairs.map(([k]) => (k.kind === 'atom' ? k.name : k.kind === 'int' ? k.value : '[]'))).to.deep.equal([3, 'a', 'b']);
    expect(() => dict('t', [['a', int(1)], ['a', int(2)]])).to.throw(/duplicate/);
  });

  it('gives equal keys exactly to == terms', () => {
    const X = variable('X');
    const a = compound('f', X, float(-0), float(NaN), int(2n ** 70n), str('a'), atom('a'), nil(), atom('[]'));
    const b = compound('f', X, float(-0), float(NaN), int(2n ** 70n), str('a'), atom('a'), nil(), atom('[]'));
    expect(termKey(a)).to.equal(termKey(b));
    expect(equalTerms(a, b)).to.equal(true);
    const distinct = [float(0), float(-0), int(0), str('0'), atom('0'), compound('0'), nil(), atom('[]'), variable(), variable(),
      compound('f', atom('ab')), compound('f', atom('a'), atom('b')), compound('fa', atom('b'))];
    expect(new Set(distinct.map(termKey)).size).to.equal(distinct.length);
  });

  it('unifies patterns and resolves bindings, sharing preserved', () => {
    const X = variable('X');
    const Y = variable('Y');
    const b = unify(compound('session', X, X), compound('session', int(1), Y));
    expect(b).to.not.equal(undefined);
    expect(equalTerms(resolve(Y, b!), int(1))).to.equal(true);
    expect(unify(compound('f', X, X), compound('f', int(1), int(2)))).to.equal(undefined);
    expect(unify(int(1), float(1))).to.equal(undefined);
    const t = compound('g', X, Y, X);
    const c = copyTerm(t) as Compound;
    expect(c.args[0]).to.equal(c.args[2]);
    expect(c.args[0]).to.not.equal(X);
    expect(termVariables(t)).to.deep.equal([X, Y]);
    expect(isGround(t)).to.equal(false);
  });

  it('walks, compares and keys deep terms without recursion', () => {
    let deep: Term = atom('a');
    for (let i = 0; i < 100_000; i++) deep = compound('-', atom('a'), deep);
    let deep2: Term = atom('a');
    for (let i = 0; i < 100_000; i++) deep2 = compound('-', atom('a'), deep2);
    expect(compareTerms(deep, deep2)).to.equal(0);
    expect(termKey(deep)).to.equal(termKey(deep2));
    expect(isGround(deep)).to.equal(true);
    const long = list(Array.from({ length: 1_000_000 }, (_, i) => int(i)));
    expect(listItems(long).items.length).to.equal(1_000_000);
    expect(isGround(copyTerm(long))).to.equal(true);
  });

  it('converts JSON losslessly both ways on its domain, and tagged JSON for every term', () => {
    const j = { a: [1, 2.5, 'x', true, null], b: {} };
    expect(toJSON(fromJSON(j))).to.deep.equal(j);
    expect(() => toJSON(float(1))).to.throw(/lossless/);
    expect(() => toJSON(atom('a'))).to.throw(/lossless/);
    const X = variable();
    const t = compound('f', X, X, float(-0), int(2n ** 70n), rational(1, 3), nil(), atom('[]'), dict('t', { k: str('v') }));
    const back = fromTaggedJSON(JSON.parse(JSON.stringify(toTaggedJSON(t))));
    const b = back as Compound;
    expect(b.args[0]).to.equal(b.args[1]);
    expect(termKey(resolve(back, unify(b.args[0]!, X)!))).to.equal(termKey(t));
  });
});

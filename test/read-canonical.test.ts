// The canonical wire-text fast path (src/text/read-canonical.ts): whatever it
// accepts must read exactly as readTerm(text, {varNames: false}) reads it, it must
// not bail out on the paxos messages it exists for, and it must never throw.
import { expect } from 'chai';
import fc from 'fast-check';
import { atom, compound, float, int, list, nil, str, variable } from '../src/term/build.js';
import type { Term, Var } from '../src/term/types.js';
import { subterms } from '../src/term/walk.js';
import { prologTextCodec, PROLOG_MAGIC } from '../src/transport/framing.js';
import { readCanonical } from '../src/text/read-canonical.js';
import { readTerm } from '../src/text/read.js';
import { writeTerm } from '../src/text/write.js';
import { assertValidTerm, isVariant } from './codec-term-check.js';
import { PROLOG_SPEC_CODEC, termArbitrary, termToSpec } from './support/arbitrary.js';
import { useSwipl } from './support/swipl.js';

const wire = (t: Term): string => writeTerm(t, { style: 'wire' });

/** Variable names in order of occurrence: the full reader names every Var but `_`. */
function varNames(t: Term): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const x of subterms(t)) if (x.kind === 'var') out.push((x as Var).name);
  return out;
}

/** The same term as readTerm gives: structure, variable sharing, variable names, normalised numbers. */
function sameAsReader(fast: Term, full: Term): boolean {
  assertValidTerm(fast);
  return isVariant(fast, full) && JSON.stringify(varNames(fast)) === JSON.stringify(varNames(full));
}

/** readTerm's term, or undefined when it rejects the text. */
function fullRead(text: string): Term | undefined {
  try {
    return readTerm(text, { varNames: false });
  } catch {
    return undefined;
  }
}

/** The contract: undefined, or readTerm's term. Returns whether the fast path took the text. */
function checkText(text: string): boolean {
  let fast: Term | undefined;
  try {
    fast = readCanonical(text);
  } catch (e) {
    throw new Error(`readCanonical threw on ${JSON.stringify(text.slice(0, 200))}: ${String(e)}`);
  }
  if (fast === undefined) return false;
  const full = fullRead(text);
  if (full === undefined) throw new Error(`fast path read ${JSON.stringify(text.slice(0, 200))}, which readTerm rejects`);
  if (!sameAsReader(fast, full)) {
    throw new Error(`${JSON.stringify(text.slice(0, 200))}: fast ${wire(fast).slice(0, 200)} vs full ${wire(full).slice(0, 200)}`);
  }
  return true;
}

// paxos.pl's messages as udp_broadcast wraps them, requests with unbound reply slots.
function paxosMessages(): Term[] {
  const id = int(8262487428582522539n);
  const keys: Term[] = [atom('k'), compound('user', atom('alice')), str('session:42'), int(17), list([atom('a'), int(1)])];
  const values: Term[] = [
    int(1435652), atom('nack'), compound('session', str('sid'), list([compound('-', atom('cookie'), compound('cookie', int(86400000), atom('true')))])),
    list([float(1.5), float(-0), float(1e22), float(1.0e-7)]), compound('{}', atom('x')), nil(), str('é "quoted" \\ \n'),
    atom('Hello World'), atom('it\'s'), int(-42), int(-(2n ** 80n)), compound('f', variable(), variable()),
  ];
  const out: Term[] = [];
  for (const k of keys) {
    for (const v of values) {
      const x = variable();
      const body = [
        compound('prepare', k, variable(), variable(), v),
        compound('accept', k, x, int(1435652), variable(), v),
        compound('accept', k, int(1), int(1435652), int(1435652), v),
        compound('changed', k, int(1435652), v, int(7)),
        compound('learn', k, int(2), int(99), atom('nack'), v),
        compound('retrieve', k, variable(), variable(), variable()),
      ];
      for (const b of body) {
        const p = compound('paxos', b);
        out.push(compound('request', id, p), compound('reply', id, p), compound('send', p));
      }
    }
  }
  out.push(compound('send', compound('paxos', compound('forget', int(6)))));
  out.push(compound('request', id, compound('paxos', compound('node', atom('self'), variable(), variable()))));
  out.push(compound('send', compound('paxos', compound('claim_node', int(3), atom('true')))));
  return out;
}

describe('readCanonical: the wire-text fast path', function () {
  it('reads typical paxos datagrams without bailing out, as readTerm does', function () {
    const msgs = paxosMessages();
    const texts = [
      'request(8262487428582522539,paxos(accept(k,_1437,1435652,_B,7)))',
      'reply(8262487428582522539,paxos(accept(k,1,1435652,1435652,7)))',
      'send(paxos(changed(k,1435652,0,7)))',
      'request(1,paxos(prepare(k,_G12,_G13,f(_,_,A,A))))',
      ...msgs.map(wire),
    ];
    const bailed = texts.filter((s) => !checkText(s));
    expect(bailed).to.deep.equal([]);
  });

  it('reads the forms the wire writer uses', function () {
    const cases = [
      'a', 'f(a)', 'f()', "'hello world'(a)", "'hello world'", "'[]'", '[]', '{}', '{}(a,b)', '{a}', '{f(a,b)}',
      '[a]', '[a,b|T]', '[a|[]]', '[[a],[b|_]]', 'f(-)', 'f(-,+)', '[-]', '[a|-]', '{-}', '-', ':-(a,b)', '\\+(a)',
      "f(;,!,'|',',')", '!(a)', ';(a,b)', 'f(dynamic,is,mod)', '-(1)', '-(-1)', '-1', '0', '-0', '007',
      '123456789012345', '1234567890123456', '9007199254740991', '9007199254740992', '9007199254740993',
      '-9007199254740993', '00000000000000000000001', '18446744073709551616', '-1234567890123456789012345678901234567890', '1.0', '-0.0', '0.0',
      '1.5e-10', '1.0e+22', '1.0E10', '123.456', '1.0e-400', '"abc"', '""', "''", '"a\\"b"', "'a\\'b'",
      "'\\n\\t\\a\\b\\f\\v\\r\\\\'", "'\\x41\\\\x1F600\\'", "'\\u00E9\\U0001F642'", "'é'", '"日本"', "'\\\"\\`'",
      'f(_,_)', 'f(A,B,A)', 'f(_123,_G45,_123)', '[X,Y,Z,X]', 'f(A1,A2,A3,A4,A5,A6,A7,A8,A9,B1,B2,B3,B4,B5,B6,B7,B8,B9,A1,B9)',
      "'$VAR'(1)", 'end_of_file',
    ];
    const bailed = cases.filter((s) => !checkText(s));
    expect(bailed).to.deep.equal([]);
  });

  it('bails out on everything outside the canonical subset', function () {
    const cases = [
      '', ' a', 'a ', 'f( a)', 'f(a )', 'f (a)', 'f(a).', 'a. b', 'a.', 'f(a)%c', 'f(/*c*/a)', 'a+b', '- 1', '-(1) ',
      '- a', '1-2', 'f(a;b)', 'f(a|b)', '{a|b}', '[a|b|c]', '[a|]', '[,]', 'f(,)', '(a)', 'f((a))', "0'a", '0x1F',
      '0o7', '0b1', "16'FF", '1_000', '1 000', '1e10', '1.0Inf', '-1.0Inf', '1.5NaN', '1r3', '1.', '1.e5', '1.0e',
      '1.0e+', '1.0e309', '_{a:1}', 'foo{a:1}', 'X(a)', '`abc`', '"a""b"', "'a''b'", "'abc", '"abc', "'\\e'",
      "'\\s'", "'\\z'", "'\\101\\'", "'\\x41'", "'\\x110000\\'", "'\\xD800\\'", "'\\uD800'", "'\\u12'", "'a\\\nb'",
      "'a\nb'", "'\\c a'", "'\t'", '=..', 'f(.)', '..', '/*', '-/*', 'é', 'aé', 'f(é)', 'Été', '[](a)', 'f(a)(b)',
      'f(a)b', '"a"(b)', '1(a)', '[a](b)', '{a}(b)', '+1', '--1', 'a:b', 'f(a,)', ')', ']', '}', ',', '|',
    ];
    const accepted = cases.filter((s) => readCanonical(s) !== undefined);
    expect(accepted).to.deep.equal([]);
  });

  it('agrees with readTerm on random terms in the wire form (property)', function () {
    this.timeout(60000);
    let fast = 0;
    let total = 0;
    fc.assert(
      fc.property(termArbitrary({ depth: 5 }), (t) => {
        total++;
        if (checkText(wire(t))) fast++;
      }),
      { numRuns: 20000, seed: 20260101 },
    );
    // Most random terms hold something outside the subset (operator atoms, dicts,
    // special floats); the fast path still has to take a good share of them.
    console.log(`      (fast path took ${fast} of ${total} texts)`);
    expect(fast / total).to.be.greaterThan(0.2);
  });

  it('agrees with readTerm on damaged wire texts: truncated, mutated, spliced (property)', function () {
    this.timeout(60000);
    const damaged = fc.tuple(
      termArbitrary({ depth: 4 }).map(wire),
      fc.nat(), fc.nat(),
      fc.constantFrom('', ' ', '.', ',', '(', ')', '[', ']', '|', '{', '}', "'", '"', '\\', '-', '1', '_', 'A', 'e', '.0', '/*'),
      fc.constantFrom('trunc', 'insert', 'delete', 'replace'),
    ).map(([s, i, j, ins, how]) => {
      const a = s.length === 0 ? 0 : i % (s.length + 1);
      const b = Math.min(s.length, a + (j % 3));
      switch (how) {
        case 'trunc': return s.slice(0, a);
        case 'insert': return s.slice(0, a) + ins + s.slice(a);
        case 'delete': return s.slice(0, a) + s.slice(b);
        default: return s.slice(0, a) + ins + s.slice(b);
      }
    });
    fc.assert(fc.property(damaged, (s) => { checkText(s); }), { numRuns: 20000, seed: 20260102 });
  });

  it('never throws on random text, and agrees with readTerm when it reads it (property)', function () {
    this.timeout(60000);
    const unit = fc.constantFrom(
      'a', 'b', 'f', 'X', '_', '0', '1', '9', '-', '+', '.', 'e', 'E', 'x', 'u', '(', ')', '[', ']', '{', '}', ',', '|',
      "'", '"', '`', '\\', ' ', '\n', '%', '/', '*', '!', ';', ':', 'é', '日', '\u0000',
    );
    fc.assert(fc.property(fc.string({ unit, maxLength: 40 }), (s) => { checkText(s); }), { numRuns: 30000, seed: 20260103 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => { checkText(s); }), { numRuns: 5000, seed: 20260104 });
  });

  it('survives hostile input: deep nesting, huge numbers, long atoms, unclosed quotes', function () {
    this.timeout(60000);
    const N = 1_000_000;
    // Beyond MAX_DEPTH: not canonical, the full reader decides.
    expect(readCanonical('f('.repeat(N) + 'a' + ')'.repeat(N))).to.equal(undefined);
    expect(readCanonical('['.repeat(N) + ']'.repeat(N))).to.equal(undefined);
    expect(readCanonical('['.repeat(N))).to.equal(undefined);
    expect(readCanonical('{'.repeat(N))).to.equal(undefined);
    // Within it: read at the default stack size.
    const D = 50_000;
    expect(checkText('f('.repeat(D) + 'a' + ')'.repeat(D))).to.equal(true);
    expect(checkText('['.repeat(D) + ']'.repeat(D))).to.equal(true);
    expect(checkText('[' + Array.from({ length: N }, (_, i) => String(i)).join(',') + ']')).to.equal(true);
    expect(readCanonical('9'.repeat(100_000))).to.equal(undefined);
    expect(checkText('9'.repeat(4000))).to.equal(true);
    expect(checkText('-' + '9'.repeat(4000))).to.equal(true);
    expect(checkText(`f('${'a'.repeat(N)}')`)).to.equal(true);
    expect(readCanonical(`f('${'a'.repeat(N)})`)).to.equal(undefined);
    expect(readCanonical(`f("${'\\'.repeat(N)})`)).to.equal(undefined);
    expect(checkText(`'${'\\x41'.repeat(1000)}'`)).to.equal(true); // \x41\ then x41, pairwise
    expect(readCanonical(`'${'\\x0'.repeat(100_000)}`)).to.equal(undefined);
  });

  it('is what prologTextCodec().decode uses: datagrams decode to the same terms', function () {
    const codec = prologTextCodec();
    for (const m of paxosMessages()) {
      const bytes = codec.encode(m);
      const text = Buffer.from(bytes).toString('latin1').slice(PROLOG_MAGIC.length);
      const got = codec.decode(bytes);
      expect(got).to.not.equal(undefined);
      expect(sameAsReader(got!, readTerm(text, { varNames: false }))).to.equal(true);
      const plain = codec.decode(new Uint8Array(bytes)); // not a Buffer: a view is made
      expect(sameAsReader(plain!, got!)).to.equal(true);
    }
    expect(codec.decode(Buffer.from('%-prolog-', 'latin1'))).to.equal(undefined);
    expect(codec.decode(Buffer.from('%-prolog-Xsend(a)', 'latin1'))).to.equal(undefined);
    expect(codec.decode(Buffer.from(`${PROLOG_MAGIC}\xe9`, 'latin1'))).to.deep.equal(atom('é'));
    // Non-canonical text still decodes (the full reader, term_string/3 style).
    const t = codec.decode(Buffer.from(`${PROLOG_MAGIC}send(paxos(a + b)). junk`, 'latin1'));
    expect(t && wire(t)).to.equal('send(paxos(+(a,b)))');
  });
});

describe('readCanonical on text written by swipl', function () {
  const swipl = useSwipl(PROLOG_SPEC_CODEC + String.raw`
wire_texts(Specs) :-
    findall(Cs, (member(S, Specs), spec_term(S, T),
                 with_output_to(codes(Cs), write_term(T, [quoted(true), ignore_ops(true)]))), L),
    write(L).
`);

  async function swiWire(terms: readonly Term[]): Promise<string[]> {
    const out = await swipl().output(`wire_texts([${terms.map(termToSpec).join(',')}])`);
    return (JSON.parse(out) as number[][]).map((cs) => {
      let s = '';
      for (let i = 0; i < cs.length; i += 4096) s += String.fromCodePoint(...cs.slice(i, i + 4096));
      return s;
    });
  }

  it('reads SWI\'s own wire text of paxos messages without bailing out', async function () {
    const texts = await swiWire(paxosMessages());
    expect(texts.some((s) => /_G?\d/.test(s)), 'SWI names fresh variables').to.equal(true);
    const bailed = texts.filter((s) => !checkText(s));
    expect(bailed).to.deep.equal([]);
  });

  it('agrees with readTerm on SWI\'s wire text of random terms', async function () {
    this.timeout(120000);
    let fast = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(termArbitrary({ dictKeys: 1 }), { minLength: 100, maxLength: 100 }), async (terms) => {
        for (const s of await swiWire(terms)) {
          total++;
          if (checkText(s)) fast++;
        }
      }),
      { numRuns: 30, seed: 20260105 },
    );
    console.log(`      (fast path took ${fast} of ${total} texts)`);
    expect(fast).to.be.greaterThan(total / 5);
  });
});

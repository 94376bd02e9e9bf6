import { expect } from 'chai';
import fc from 'fast-check';
import {
  CodecError, decodeMany, decodeTerm, Decoder, encodeMany, encodeTerm, iterateTerms,
} from '../src/codec/index.js';
import { BUILTIN_NAMES } from '../src/codec/format.js';
import { msgpackView } from '../src/codec/msgpack-view.js';
import {
  atom, codes, compound, compoundOf, cons, dict, float, int, list, nil, rational, str, variable,
} from '../src/term/build.js';
import { compareTerms } from '../src/term/compare.js';
import type { Term } from '../src/term/types.js';
import { copyTerm, listItems } from '../src/term/walk.js';
import { arbGroundTerm, arbTerm, termArbitrary } from './support/arbitrary.js';
import { assertValidTerm, isVariant } from './codec-term-check.js';

function roundTrip(t: Term): Term {
  const bytes = encodeTerm(t);
  const back = decodeTerm(bytes);
  expect(isVariant(t, back), 'decoded term is a variant of the original').to.equal(true);
  expect(Buffer.compare(encodeTerm(back), bytes)).to.equal(0);
  return back;
}

/** Either a valid term or a CodecError: nothing else may come out of hostile bytes. */
function decodeHostile(bytes: Uint8Array): void {
  let t: Term;
  try {
    t = decodeTerm(bytes);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    return;
  }
  assertValidTerm(t);
  expect(isVariant(decodeTerm(encodeTerm(t)), t)).to.equal(true);
}

describe('codec: round trips', () => {
  it('every arbitrary term comes back as a variant, and re-encodes to the same bytes', () => {
    fc.assert(fc.property(arbTerm, (t) => { roundTrip(t); }), { numRuns: 3000 });
  });

  it('deeper arbitrary terms with larger dicts', () => {
    fc.assert(fc.property(termArbitrary({ depth: 8, dictKeys: 6 }), (t) => { roundTrip(t); }), { numRuns: 500 });
  });

  it('keeps the kinds apart: atom, string, code list, nil, the atom [], int vs float', () => {
    const ts = [atom('abc'), str('abc'), codes('abc'), nil(), atom('[]'), int(1), float(1), atom('1'), str(''), atom('')];
    const enc = ts.map((t) => encodeTerm(t).toString('hex'));
    expect(new Set(enc).size).to.equal(ts.length);
    for (const t of ts) expect(decodeTerm(encodeTerm(t))).to.deep.equal(t);
    expect(decodeTerm(encodeTerm(nil()))).to.equal(nil()); // the singleton
  });

  it('floats are exact: -0.0, NaN, infinities, subnormals, float32 and float64 values', () => {
    for (const v of [0, -0, NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, 0.1, 1.5, 1e300, -2.5, 3.4028234663852886e38, 1 / 3]) {
      const back = decodeTerm(encodeTerm(float(v)));
      expect(back.kind).to.equal('float');
      expect(Object.is((back as { value: number }).value, v)).to.equal(true);
    }
    expect(encodeTerm(float(1.5)).length).to.equal(5); // float32 when lossless
    expect(encodeTerm(float(1 / 3)).length).to.equal(9);
    expect(encodeTerm(float(0)).equals(encodeTerm(float(-0)))).to.equal(false);
  });

  it('decimal floats (M / 10^S) take 4 or 6 bytes, canonically, and come back exactly', () => {
    expect(encodeTerm(float(0.1)).toString('hex')).to.equal('d5370101'); // S 1, M 1
    expect(encodeTerm(float(-2.55)).toString('hex')).to.equal('d53782ff'); // sign bit, S 2, M 255
    expect(encodeTerm(float(1234.56)).toString('hex')).to.equal('d63702' + (123456).toString(16).padStart(6, '0'));
    expect(encodeTerm(float(167772.15)).length).to.equal(6); // M = 2^24 - 1
    expect(encodeTerm(float(1677721.6)).length).to.equal(9); // M = 2^24: float64
    expect(encodeTerm(float(1.5e-21)).toString('hex')).to.equal('d537160f'); // S 22, the largest
    expect(encodeTerm(float(1.5e-22)).length).to.equal(9); // would need S 23
    fc.assert(fc.property(fc.integer({ min: -(2 ** 24), max: 2 ** 24 }), fc.integer({ min: 0, max: 25 }), (m, s) => {
      roundTrip(float(m / 10 ** s));
      const v = -m / 10 ** s;
      const back = decodeTerm(encodeTerm(float(v)));
      expect(Object.is((back as { value: number }).value, v)).to.equal(true);
    }), { numRuns: 5000 });
    fc.assert(fc.property(fc.double(), (v) => {
      const back = decodeTerm(encodeTerm(float(v)));
      expect(Object.is((back as { value: number }).value, v) || (v !== v && back.kind === 'float')).to.equal(true);
    }), { numRuns: 5000 });
  });

  it('integers at every boundary, normalised to number exactly when safe', () => {
    const edges: bigint[] = [];
    for (const e of [7n, 8n, 15n, 16n, 31n, 32n, 52n, 53n, 63n, 64n, 65n, 200n, 2000n]) {
      const p = 1n << e;
      edges.push(p - 1n, p, p + 1n, -p + 1n, -p, -p - 1n);
    }
    edges.push(0n, -1n, -32n, -33n, 127n, 128n);
    for (const v of edges) {
      const back = decodeTerm(encodeTerm(int(v)));
      expect(back).to.deep.equal(int(v));
      assertValidTerm(back);
    }
  });

  it('rationals, including huge ones', () => {
    for (const r of [rational(1, 3), rational(-7, 2), rational(2n ** 100n + 1n, 2n ** 90n), rational(-(3n ** 80n), 2n ** 65n)]) {
      expect(compareTerms(decodeTerm(encodeTerm(r)), r)).to.equal(0);
    }
  });

  it('restores variable sharing with fresh variables', () => {
    const X = variable('X');
    const Y = variable('Y');
    const t = compound('f', X, Y, X, list([Y], X), dict(X, { a: Y }));
    const back = decodeTerm(encodeTerm(t));
    if (back.kind !== 'compound') throw new Error('not a compound');
    const [a, b, c] = back.args;
    expect(a!.kind).to.equal('var');
    expect(a).to.equal(c);
    expect(a).to.not.equal(b);
    expect(a).to.not.equal(X);
    expect(isVariant(t, back)).to.equal(true);
  });

  it('variables beyond the 32 with a short form, shared', () => {
    const vs = Array.from({ length: 300 }, () => variable());
    const t = compoundOf('f', [...vs, ...vs.slice().reverse()]);
    const back = roundTrip(t);
    if (back.kind !== 'compound') throw new Error('not a compound');
    expect(back.args[0]).to.equal(back.args[599]);
    expect(back.args[299]).to.equal(back.args[300]);
    expect(new Set(back.args).size).to.equal(300);
  });

  it('dicts with atom and integer keys, atom and variable tags', () => {
    roundTrip(dict('point', [[atom('x'), int(1)], [int(-5), str('n')], [atom('y'), float(2.5)]]));
    roundTrip(dict(variable(), {}));
    roundTrip(dict('t', [[atom('\uffff'), int(1)], [atom('🙂'), int(2)], [int(-3), int(3)], [int(7), int(4)], [atom(''), int(5)]]));
  });

  it('decodeMany and decodeTerm make objects of the shapes build.ts makes (same property order)', () => {
    const X = variable();
    const ts: Term[] = [
      atom('abc'), int(5), int(1000), int(-70000), int(2n ** 80n), float(0.1), float(1 / 3), float(1.5), str('s'), str('日本'),
      nil(), rational(1, 3), X, dict('d', { a: int(1) }), list([int(1), int(2)], X), compound('g'),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => compoundOf('f', Array.from({ length: n }, (_, i) => int(i)))),
    ];
    const shapes = (t: Term): string[] => {
      const out: string[] = [];
      const stack: unknown[] = [t];
      while (stack.length > 0) {
        const x = stack.pop() as Record<string, unknown>;
        out.push(Object.keys(x).join(','));
        if (x.kind === 'compound') { expect(Array.isArray(x.args)).to.equal(true); stack.push(...(x.args as Term[])); }
        if (x.kind === 'dict') for (const p of x.pairs as [Term, Term][]) { expect(p.length).to.equal(2); stack.push(p[0], p[1]); }
      }
      return out;
    };
    const batch = decodeMany(encodeMany(ts));
    ts.forEach((t, i) => {
      const single = decodeTerm(encodeTerm(t));
      expect(shapes(single)).to.deep.equal(shapes(t));
      expect(shapes(batch[i]!)).to.deep.equal(shapes(t));
    });
  });

  it('text without a UTF-8 form (lone surrogates) survives', () => {
    for (const s of ['\ud800', 'a\udc00b', '\udbff\udbff', 'x'.repeat(40) + '\ud800']) {
      expect(decodeTerm(encodeTerm(atom(s)))).to.deep.equal(atom(s));
      expect(decodeTerm(encodeTerm(str(s)))).to.deep.equal(str(s));
      expect(decodeTerm(encodeTerm(compound(s, atom(s))))).to.deep.equal(compound(s, atom(s)));
    }
  });

  it('non-ASCII and long text, a zero-arity compound, a non-list [|]/3, a partial list', () => {
    roundTrip(atom('日本語🙂'.repeat(50)));
    roundTrip(str('\u0000\u00ff\uffff'.repeat(30000)));
    roundTrip(atom('\ufeffbom'));
    roundTrip(compound('g'));
    roundTrip(compound('[|]', atom('a'), atom('b'), atom('c')));
    roundTrip(list([int(1), int(2)], variable()));
    roundTrip(cons(atom('a'), atom('b')));
  });

  it('refers to repeated names instead of repeating them', () => {
    const one = encodeTerm(compound('person', atom('alexander')));
    const many = encodeTerm(list(Array.from({ length: 100 }, () => compound('person', atom('alexander')))));
    // Each repeat costs the array header, a 1-byte functor reference and a 2-byte atom reference.
    // The list run: a 3-byte array16 header, the nil marker and the nil tail.
    expect(many.length).to.equal(5 + one.length + 99 * 4);
  });
});

describe('codec: determinism', () => {
  it('== terms give equal bytes, whatever was encoded before', () => {
    fc.assert(fc.property(arbTerm, arbTerm, (a, b) => {
      const alone = encodeTerm(b);
      encodeTerm(a);
      expect(encodeTerm(b).equals(alone)).to.equal(true);
      // Structurally equal but separately built (a deep copy) gives the same bytes.
      expect(encodeTerm(decodeTerm(alone)).equals(alone)).to.equal(true);
      expect(encodeTerm(copyTerm(b)).equals(alone)).to.equal(true);
    }), { numRuns: 1000 });
  });

  it('equal bytes exactly for == ground terms', () => {
    fc.assert(fc.property(arbGroundTerm, arbGroundTerm, (a, b) => {
      expect(encodeTerm(a).equals(encodeTerm(b))).to.equal(compareTerms(a, b) === 0);
    }), { numRuns: 2000 });
  });

  it('the bytes are msgpack: msgpackr reads them as nested arrays and extensions', () => {
    const X = variable();
    const view = msgpackView(encodeTerm(compound('f', atom('ab'), X, X, int(2n ** 70n), list([int(1)]), str('s'), atom('ab'), compound('g'),
      compound('=', atom('true'), atom('false')), atom('fail'), atom('-'), compound('node', float(0.1)), compound('true'))));
    expect(view).to.deep.equal([
      'f', 'ab', [-1], [-1], { ext: 'bigint', value: 2n ** 70n },
      [null, 1, null], Buffer.from('s'), [1], [false, 'g'],
      // Built-in names: -1-K in name position, true/false, ext NAME for atoms of 3+ bytes, short atoms spelled out.
      [-5, true, false], { ext: 'name', value: 'fail' }, '-', [-1 - BUILTIN_NAMES.indexOf('node'), { ext: 'decimal', value: 0.1 }],
      [false, -1 - BUILTIN_NAMES.indexOf('true')],
    ]);
    // The bytes pinned: ':-'(foo(X), (X = 12.5 ; X \== node)).
    const Y = variable();
    const rule = compound(':-', compound('foo', Y), compound(';', compound('=', Y, float(12.5)), compound('\\==', Y, atom('node'))));
    expect(encodeTerm(rule).toString('hex')).to.equal([
      '93', 'fc', // [':-' (built-in 3, 1 byte),
      '92', 'a3666f6f', '91ff', //   [foo (literal), X (var 0)],
      '93', 'fe', //   [';' (built-in 1),
      '93', 'fb', '91ff', 'ca41480000', //     ['=' (built-in 4), X, 12.5 (float32)],
      '93', 'eb', '91ff', 'd436' + BUILTIN_NAMES.indexOf('node').toString(16), //     ['\\==' (built-in 20), X, node (ext NAME)]]]
    ].join(''));
    fc.assert(fc.property(termArbitrary({ depth: 4 }), (t) => { msgpackView(encodeTerm(t)); }), { numRuns: 300 });
  });
});

describe('codec: batches', () => {
  it('encodeMany / decodeMany / iterateTerms agree; a batch spells each name once', () => {
    fc.assert(fc.property(fc.array(arbTerm, { maxLength: 20 }), (ts) => {
      const bytes = encodeMany(ts);
      const all = decodeMany(bytes);
      expect(all.length).to.equal(ts.length);
      ts.forEach((t, i) => expect(isVariant(t, all[i]!)).to.equal(true));
      const it = [...iterateTerms(bytes)];
      ts.forEach((t, i) => expect(isVariant(t, it[i]!)).to.equal(true));
      expect(encodeMany(all).equals(bytes)).to.equal(true);
      expect(bytes.length).to.be.at.most(ts.reduce((n, t) => n + encodeTerm(t).length, 0));
    }), { numRuns: 300 });
    const rec = compound('person', atom('alexander'), str('x'));
    expect(encodeMany([rec, rec]).length).to.equal(encodeTerm(rec).length + 1 + 1 + 2 + 3);
  });

  it('decodeAt walks a concatenation of single encodings', () => {
    fc.assert(fc.property(fc.array(arbTerm, { maxLength: 20 }), (ts) => {
      const bytes = Buffer.concat(ts.map((t) => encodeTerm(t)));
      const d = new Decoder();
      let off = 0;
      for (const t of ts) {
        const r = d.decodeAt(bytes, off);
        expect(isVariant(t, r.term)).to.equal(true);
        expect(r.next - off).to.equal(encodeTerm(t).length);
        off = r.next;
      }
      expect(off).to.equal(bytes.length);
    }), { numRuns: 200 });
  });

  it('a batch that fails midway leaves the decoder fit for single terms', () => {
    const good = encodeMany([compound('f', atom('x'), int(300)), str('s')]);
    const bad = Buffer.concat([good, Uint8Array.from([0x92, 0xa1])]);
    expect(() => decodeMany(bad)).to.throw(CodecError);
    expect(decodeTerm(encodeTerm(compound('f', int(300))))).to.deep.equal(compound('f', int(300)));
    expect(decodeMany(good)).to.deep.equal([compound('f', atom('x'), int(300)), str('s')]);
  });

  it('decodes from a Uint8Array view at an offset', () => {
    const inner = encodeTerm(compound('f', atom('x')));
    const big = new Uint8Array(inner.length + 10);
    big.set(inner, 5);
    expect(decodeTerm(big.subarray(5, 5 + inner.length))).to.deep.equal(compound('f', atom('x')));
  });
});

describe('codec: hostile bytes', () => {
  it('random bytes give a valid term or a CodecError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => decodeHostile(b)), { numRuns: 20000 });
  });

  it('random bytes as a batch give valid terms or a CodecError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      let ts: Term[];
      try { ts = decodeMany(b); } catch (e) { if (e instanceof CodecError) return; throw e; }
      for (const t of ts) assertValidTerm(t);
    }), { numRuns: 10000 });
  });

  it('random msgpack-looking bytes (structure headers and our extension codes)', () => {
    const tokens = fc.constantFrom(
      0x91, 0x92, 0x93, 0x94, 0x9f, 0xc0, 0xc2, 0xc3, 0xa1, 0x61, 0x62, 0x00, 0x01, 0x7f, 0xd4, 0xd5, 0xd6, 0xc7,
      0x31, 0x33, 0x34, 0x35, 0xdc, 0xdd, 0xff, 0xfe, 0xe0, 0xca, 0xcb, 0xc4, 0xcf, 0xd3, 0xa3, 0x80,
    );
    fc.assert(fc.property(fc.array(tokens, { maxLength: 40 }), (b) => decodeHostile(Uint8Array.from(b))), { numRuns: 20000 });
  });

  it('every proper prefix of an encoding is truncated, never a term', () => {
    fc.assert(fc.property(arbTerm, (t) => {
      const bytes = encodeTerm(t);
      for (let n = 0; n < bytes.length; n++) {
        expect(() => decodeTerm(bytes.subarray(0, n))).to.throw(CodecError);
      }
    }), { numRuns: 500 });
  });

  it('bit flips in valid encodings give a valid term or a CodecError', () => {
    fc.assert(fc.property(arbTerm, fc.nat(), fc.integer({ min: 0, max: 7 }), (t, at, bit) => {
      const bytes = Buffer.from(encodeTerm(t));
      const i = at % bytes.length;
      bytes[i] = bytes[i]! ^ (1 << bit);
      decodeHostile(bytes);
    }), { numRuns: 5000 });
  });

  const bad: [string, number[]][] = [
    ['empty input', []],
    ['trailing bytes', [0x01, 0x02]],
    ['never-used byte c1', [0xc1]],
    ['a msgpack map', [0x81, 0x01, 0x02]],
    ['an empty array', [0x90]],
    ['an array claiming 4 billion items', [0xdd, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61]],
    ['a list run without items', [0x92, 0xc0, 0xc0]],
    ['a dict with an odd count', [0x93, 0xc3, 0xa1, 0x74]],
    ['a dict with unsorted keys', [0x96, 0xc3, 0xa1, 0x74, 0xa1, 0x62, 0x01, 0xa1, 0x61, 0x02]],
    ['a dict with duplicate keys', [0x96, 0xc3, 0xa1, 0x74, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02]],
    ['a dict with a float key', [0x94, 0xc3, 0xa1, 0x74, 0xca, 0, 0, 0, 0, 0x01]],
    ['a dict with an atom key before an integer key', [0x96, 0xc3, 0xa1, 0x74, 0xa1, 0x61, 0x01, 0x05, 0x02]],
    ['a dict with unsorted integer keys', [0x96, 0xc3, 0xa1, 0x74, 0x05, 0x01, 0xff, 0x02]],
    ['a dict with duplicate integer keys', [0x96, 0xc3, 0xa1, 0x74, 0x05, 0x01, 0x05, 0x02]],
    // U+FFFF sorts before U+1F642 by code points, though its UTF-16 unit is above the surrogate's.
    ['a dict with keys in UTF-16 order, not code point order', [0x96, 0xc3, 0xa1, 0x74, 0xa4, 0xf0, 0x9f, 0x99, 0x82, 0x01, 0xa3, 0xef, 0xbf, 0xbf, 0x02]],
    ['a dict with a compound tag', [0x92, 0xc3, 0x91, 0xa1, 0x66]],
    ['a rational not in lowest terms', [0x93, 0xc2, 0x02, 0x04]],
    ['a rational with denominator 1', [0x93, 0xc2, 0x02, 0x01]],
    ['a rational with a negative denominator', [0x93, 0xc2, 0x01, 0xfe]],
    ['a rational with a float part', [0x93, 0xc2, 0x01, 0xca, 0x40, 0x40, 0, 0]],
    ['a compound named by an int beyond the table', [0x92, 0x05, 0x01]],
    ['a compound named by a string', [0x92, 0xc4, 0x01, 0x66, 0x01]],
    ['a zero-arity compound spelled [Name]', [0x91, 0xa1, 0x66]],
    ['a zero-arity compound named by nothing', [0x92, 0xc2, 0xc0]],
    ['an atom reference to nothing', [0x91, 0x00]],
    ['an atom reference to a name that is not in the table', [0x92, 0xa1, 0x66, 0x91, 0x01]],
    ['a variable out of order', [0x92, 0xa1, 0x66, 0xd4, 0x31, 0x01]],
    ['a short-form variable out of order', [0x92, 0xa1, 0x66, 0x91, 0xfe]],
    ['an unknown extension', [0xd4, 0x7f, 0x00]],
    ['invalid UTF-8', [0xa2, 0xc3, 0x28]],
    ['an overlong UTF-8 encoding', [0xa2, 0xc0, 0xaf]],
    ['UTF-8 of a surrogate', [0xa3, 0xed, 0xa0, 0x80]],
    ['UTF-16 text that has a UTF-8 form', [0xd5, 0x34, 0x61, 0x00]],
    ['odd-length UTF-16', [0xc7, 0x03, 0x34, 0x00, 0xd8, 0x00]],
    ['a bigint with a bad sign byte', [0xd5, 0x33, 0x02, 0x01]],
    ['a truncated float64', [0xcb, 0x00, 0x00]],
    ['a decimal float not in lowest terms (1.0 at S 1 is float32)', [0xd5, 0x37, 0x01, 0x0a]],
    ['a decimal float with a larger S than needed (0.1 as 10 / 100)', [0xd5, 0x37, 0x02, 0x0a]],
    ['a decimal float in 4 bytes whose M fits 1', [0xd6, 0x37, 0x01, 0x00, 0x00, 0x01]],
    ['a decimal float with scale 0', [0xd5, 0x37, 0x00, 0x01]],
    ['a decimal float with scale 23', [0xd5, 0x37, 0x17, 0x0f]],
    ['a decimal float of 3 bytes', [0xc7, 0x03, 0x37, 0x01, 0x00, 0x01]],
    ['a built-in atom code beyond the table', [0xd4, 0x36, 0xff]],
    ['a built-in atom code for true (it has a 1-byte form)', [0xd4, 0x36, BUILTIN_NAMES.indexOf('true')]],
    ['a built-in atom code for a 1-byte name (the literal is shorter)', [0xd4, 0x36, 0x00]],
    ['a built-in name code as a non-canonical int8', [0x92, 0xd0, 0xff, 0x01]],
    ['a built-in name code as a positive int8', [0x92, 0xd0, 0x10, 0x01]],
  ];
  for (const [what, bytes] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => decodeTerm(Uint8Array.from(bytes))).to.throw(CodecError);
    });
  }

  it('a huge claimed length fails fast without allocating', () => {
    const t0 = Date.now();
    for (let i = 0; i < 1000; i++) {
      expect(() => decodeTerm(Uint8Array.from([0xdb, 0x7f, 0xff, 0xff, 0xff, 0x61]))).to.throw(CodecError);
      expect(() => decodeTerm(Uint8Array.from([0xc9, 0x7f, 0xff, 0xff, 0xff, 0x33, 0x00]))).to.throw(CodecError);
    }
    expect(Date.now() - t0).to.be.lessThan(1000);
  });

  it('a bigint in extension form normalises to the term model (safe values become numbers)', () => {
    const t = decodeTerm(Uint8Array.from([0xd6, 0x33, 0x01, 0x00, 0x00, 0x05]));
    expect(t).to.deep.equal(int(-5));
    assertValidTerm(t);
  });
});

describe('codec: depth', function () {
  this.timeout(60000);
  const N = 1_000_000;

  it(`a compound nested ${N} deep`, () => {
    let t: Term = atom('leaf');
    for (let i = 0; i < N; i++) t = compound('s', t);
    const back = decodeTerm(encodeTerm(t));
    let d = 0;
    let x = back;
    while (x.kind === 'compound') { d++; x = x.args[0]!; }
    expect(d).to.equal(N);
    expect(x).to.deep.equal(atom('leaf'));
    expect(compareTerms(back, t)).to.equal(0);
  });

  it(`a list of ${N} items and a list nested ${N} deep`, () => {
    const items = Array.from({ length: N }, (_, i) => int(i));
    const flat = list(items);
    const back = listItems(decodeTerm(encodeTerm(flat)));
    expect(back.items.length).to.equal(N);
    expect(back.items[N - 1]).to.deep.equal(int(N - 1));
    let deep: Term = nil();
    for (let i = 0; i < N; i++) deep = list([deep]);
    expect(compareTerms(decodeTerm(encodeTerm(deep)), deep)).to.equal(0);
  });

  it(`dicts and rationals nested ${N / 10} deep`, () => {
    let t: Term = rational(1, 3);
    for (let i = 0; i < N / 10; i++) t = dict('d', { v: t });
    expect(compareTerms(decodeTerm(encodeTerm(t)), t)).to.equal(0);
  });

  it('a compound with 100,000 arguments', () => {
    const t = compoundOf('wide', Array.from({ length: 100_000 }, (_, i) => atom(`a${i % 1000}`)));
    roundTrip(t);
  });
});

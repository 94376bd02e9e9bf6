// Property test against swipl: random terms are built inside SWI-Prolog, written by
// SWI itself (writeq, print, write_canonical, and the ignore_ops wire form), and the
// text is read by our reader; the result must be the term SWI dumps as structure.
import { expect } from 'chai';
import fc from 'fast-check';
import { readTerm, PrologSyntaxError } from '../src/text/read.js';
import { useSwipl } from './support/swipl.js';
import { DUMP_PROGRAM, diffDump, fromCodes, type Dump } from './read-support.js';

const codesOf = (s: string): string => `[${[...s].map((c) => c.codePointAt(0)).join(',')}]`;

const OP_ATOMS = [
  '-', '+', '*', '/', '\\+', ':-', '?-', '-->', ',', '|', ';', '->', '*->', '=', '\\=', '==', '=..', 'is', ':',
  '^', '**', '\\', '.', 'dynamic', 'table', 'mod', 'rem', 'xor', '$', '@', '[]', '{}', '[|]', '!', 'a', 'f',
  'foo', 'Foo', '_x', '', "'", '"', '`', ' ', 'hello world', 'é', 'Été', '日本', '\n', '\\\\', '/*', '%', '0',
];

const codePoint = fc.oneof(
  fc.integer({ min: 0, max: 0x7f }),
  fc.integer({ min: 0x80, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0x10ffff }),
);
const atomName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...OP_ATOMS) },
  { weight: 1, arbitrary: fc.array(codePoint, { maxLength: 6 }).map((cs) => String.fromCodePoint(...cs)) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,5}$/) },
);

const floatText = fc.oneof(
  fc.double().map((x) => (Number.isNaN(x) ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x.toExponential())),
  fc.constantFrom('0.0e0', '-0.0e0', '1.0e10', '1.5e-300', 'inf', '-inf', 'nan'),
);

const leaf: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 0, max: 7 }).map((n) => `v(${n})`),
  atomName.map((a) => `a(${codesOf(a)})`),
  fc.constant('n'),
  fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }), fc.integer({ min: -3, max: 3 }))
    .map((i) => `i(${i})`),
  floatText.map((f) => `f(${codesOf(f)})`),
  fc.tuple(fc.bigInt({ min: -1000n, max: 1000n }), fc.bigInt({ min: 2n, max: 1000n })).map(([n, d]) => `r(${n},${d})`),
  fc.array(codePoint, { maxLength: 5 }).map((cs) => `s(${codesOf(String.fromCodePoint(...cs))})`),
);

const termDesc: fc.Arbitrary<string> = fc.letrec<{ t: string }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: leaf },
    { weight: 3, arbitrary: fc.tuple(atomName, fc.array(tie('t'), { minLength: 1, maxLength: 3 }))
      .map(([n, as]) => `c(${codesOf(n)},[${as.join(',')}])`) },
    { weight: 1, arbitrary: fc.tuple(fc.array(tie('t'), { maxLength: 4 }), tie('t'))
      .map(([xs, tail]) => xs.reduceRight((acc, x) => `c(${codesOf('[|]')},[${x},${acc}])`, tail)) },
    { weight: 1, arbitrary: tie('t').map((x) => `c(${codesOf('{}')},[${x}])`) },
    { weight: 1, arbitrary: fc.array(tie('t'), { maxLength: 2 }).map((as) => `cn([${as.join(',')}])`) }, // [](...)
    { weight: 1, arbitrary: fc.tuple(
      fc.oneof(fc.integer({ min: 0, max: 7 }).map((n) => `v(${n})`), atomName.map((a) => `a(${codesOf(a)})`)),
      fc.uniqueArray(fc.oneof(atomName.map((a) => `a(${codesOf(a)})`), fc.integer({ min: -5, max: 5 }).map((i) => `i(${i})`),
        fc.constantFrom('n', `a(${codesOf('[]')})`)), { maxLength: 3 }),
      fc.array(tie('t'), { minLength: 3, maxLength: 3 }),
    ).map(([tag, keys, vals]) => `d(${tag},[${keys.map((k, i) => `${k}-${vals[i]}`).join(',')}])`) },
  ),
})).t;

const diffDumps = (a: Dump, b: Dump): boolean => JSON.stringify(a) !== JSON.stringify(b);

const STYLES = ['writeq', 'print', 'canonical', 'wire'] as const;

describe('reader: property test against swipl (SWI writes, we read)', function () {
  const swipl = useSwipl(DUMP_PROGRAM);

  for (const style of STYLES) {
    it(`reads 5,000 random terms as SWI's ${style} writes them`, async function () {
      this.timeout(120000);
      let checked = 0;
      let swiRoundTripBugs = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(termDesc, { minLength: 50, maxLength: 50 }), async (descs) => {
          const out = await swipl().output(`write_styles([${descs.join(',')}], ${style})`);
          const rows = JSON.parse(out) as [number[], Dump, Dump][];
          for (const [codes, written, reread] of rows) {
            const text = fromCodes(codes);
            if (diffDumps(written, reread)) swiRoundTripBugs++;
            let term;
            try {
              term = readTerm(text);
            } catch (e) {
              if (!(e instanceof PrologSyntaxError)) throw e;
              // SWI wrote something it cannot read back itself: we must fail the same way.
              if ('err' in reread && fromCodes(reread.err) === e.kind) { checked++; continue; }
              throw new Error(`cannot read ${JSON.stringify(text)}: ${e.message}`);
            }
            const d = diffDump(term, reread);
            if (d !== undefined) throw new Error(`${JSON.stringify(text)}: ${d}`);
            checked++;
          }
        }),
        { numRuns: 100, seed: 20240604 + STYLES.indexOf(style) },
      );
      expect(checked).to.be.at.least(5000);
      if (swiRoundTripBugs > 0) console.log(`      (${style}: ${swiRoundTripBugs} texts SWI itself reads back differently)`);
    });
  }
});

// Issue 13, items 2-5, against a real swipl: Unicode character classes (every class
// sampled, every digit script), digit groups in rationals and comments after `_`,
// backslash-newline in quoted text, nested block comments and SWI's NaN rules.
// Cases are generated from the reader's tables, and swipl's own reading of each is
// the expected result; the tables themselves are re-probed from swipl and compared.
import { expect } from 'chai';
import { READ_CLASS_RANGES } from '../grammar/chars-data.js';
import { generate } from '../grammar/chars-gen.js';
import { DIGIT_SCRIPTS } from '../grammar/chars.js';
import { readTerm, PrologSyntaxError } from '../src/text/read.js';
import { decodeRanges } from '../src/util/ranges.js';
import { mulberry32 } from '../src/util/prng.js';
import { useSwipl } from './support/swipl.js';
import { DUMP_PROGRAM, diffDump, fromCodes, prologString, type Dump } from './read-support.js';
import { readFileSync } from 'node:fs';

const rnd = mulberry32(13);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const ch = (cp: number): string => String.fromCodePoint(cp);

/** A few code points of each class: both ends of some ranges and random members. */
function classSamples(): number[] {
  const out = new Set<number>();
  for (const enc of Object.values(READ_CLASS_RANGES)) {
    const rs = decodeRanges(enc);
    for (let k = 0; k < 12 && rs.length > 0; k++) {
      const [lo, hi] = pick(rs);
      out.add(lo); out.add(hi); out.add(lo + Math.floor(rnd() * (hi - lo + 1)));
    }
  }
  // Code points in no class (illegal for SWI) and a few Node knows as letters but SWI does not.
  for (const cp of [0x85, 0x88f, 0xc5c, 0x1c89, 0xa7cb, 0x2fffd, 0xe000, 0x10fffd]) out.add(cp);
  return [...out].sort((a, b) => a - b);
}

function charCases(): string[] {
  const out: string[] = [];
  for (const cp of classSamples()) {
    const c = ch(cp);
    out.push(c, `${c}x`, `x${c}`, `+${c}`, `${c}${c}`, `f(${c})`, `X${c}`, `[${c}]`);
  }
  return out;
}

/** Whether our reader takes the text for a number (some scripts' zeros are not digits for SWI). */
function readsAsNumber(text: string): boolean {
  try {
    return readTerm(text).kind === 'int';
  } catch {
    return false;
  }
}

function digitCases(): string[] {
  const out: string[] = [];
  for (const { zero } of DIGIT_SCRIPTS) {
    const d = (v: number): string => ch(zero + v);
    const other = pick(DIGIT_SCRIPTS.filter((s) => s.zero !== zero)).zero;
    const has0 = readsAsNumber(d(0));
    const n = has0 ? [1, 0, 2] : [1, 5, 2];
    const [a, b, c] = n.map(d) as [string, string, string];
    out.push(`${a}${b}${c}`, `${a}.${b}`, `${a}r${c}`, `${a}${b}e${c}`, `${a}.${b}e-${c}`, `${a}_${b}${c}`,
      `${a} ${b}${c}`, `${a}${ch(other + 1)}`, `-${a}`, `- ${a}`, `${a}.${b}Inf`, `${a}.${b}NaN`, `x${a}`,
      `${a}_/*c*/${b}`, `${a}r${b}_${c}`, `${a}.0`, `1.${b}`, `0'${a}`, `${a}'${b}`, `f(-${a})`);
  }
  return out;
}

const FIXED: string[] = [
  // item 3: digit groups in rationals, comments after `_`
  '1_000r3', '1r1_000', '1 000r3', '1r1 000', '1 000 000r1 000', '1_000r1_000', '1_000_/*c*/000', '1_/*c*/000',
  '1_/*a*//*b*/000', '1_ /*c*/ 000', '1_%c\n000', '1_\n/*c*/000', '1_/*c*/', '1_/*c', '1 /*c*/000',
  '0x1_/*c*/F', "16'1_/*c*/F", '1.0_/*c*/0', '1_000e3', '1_/*c*/000r3', '1r1_/*c*/000', '1_/*.*/0', '1_/*r*/0',
  // item 4: backslash-newline skips the following layout (not newlines)
  "'a\\\n   b'", "'a\\\n\n  b'", "'a\\\n\t b'", "'a\\\n'", '"a\\\n \\n b"', "'a\\\n\u00a0b'", "0'\\\n",
  "'a\\\n\r\nb'", "'a\\\n\fb'", '`a\\\n  b`',
  // item 5: NaN, nested block comments, U+FEFF
  '1.0NaN', '2.5NaN', '1.5NaN', '1.25NaN', '1.00NaN', '1.99999999999999999NaN', '0.5NaN', '10.5NaN',
  '1.0e10NaN', '-1.5NaN', '3.0NaN', '1.0000000000000002NaN',
  'a /* /* */', 'X/* /*/=7.', 'a /* /* */ */', '/* a /* b */ c */ x', 'x /* a /* b */', 'a /*/ */',
  'a /**/ /* */', 'f(a /* /* */ ).', 'a /* /*/ */', 'a /* */* */', 'a /* * / /* */ b */', 'a /*/*/ */',
  'a /*/*/', 'a /* /* */ */ b', "'/*' /* /* */ */", 'a b /* x', "a b 'x", 'a /* /* */ */ /* */',
  '\ufeffa', 'a\ufeff', 'f(\ufeffa)', '\ufeff', "'\ufeff'",
  // item 2, named in the issue
  '٠١٢٣', '１２', '١٢.٣', '١r٣', 'Ⅻ', 'ⅻ', 'aⅫ', 'X‿Y', 'a‿b', '‿a', 'á', 'a\u0301', '\u0301a', '𝟏𝟐',
  '𝟬', '𝟭𝟬', '1𝟬', '𝟘.5', "0'١", "0'𝟬", '١_٠٠٠',
];

describe('reader: Unicode classes, digit groups, escapes and errors (compared with swipl)', function () {
  this.timeout(120_000);
  const swipl = useSwipl(DUMP_PROGRAM);

  it("the reader's class tables are what swipl reads, for every code point", () => {
    const committed = readFileSync(new URL('../grammar/chars-data.ts', import.meta.url), 'utf8');
    expect(generate() === committed, 'grammar/chars-data.ts differs from a fresh probe of swipl').to.equal(true);
  });

  const cases = [...FIXED, ...digitCases(), ...charCases()];
  it(`reads ${cases.length} generated texts as swipl does`, async () => {
    const bad: string[] = [];
    for (const text of cases) {
      const swi = JSON.parse(await swipl().output(`parse_dump(${prologString(text)})`)) as Dump;
      let ours: unknown;
      try {
        ours = readTerm(text);
      } catch (e) {
        if (!(e instanceof PrologSyntaxError)) throw e;
        const want = 'err' in (swi as object) ? fromCodes((swi as { err: number[] }).err) : 'a term';
        if (want !== e.kind) bad.push(`${JSON.stringify(text)}: we ${e.kind}, swipl ${want}`);
        continue;
      }
      if ('err' in (swi as object)) {
        bad.push(`${JSON.stringify(text)}: we read a term, swipl ${fromCodes((swi as { err: number[] }).err)}`);
        continue;
      }
      const d = diffDump(ours as never, swi);
      if (d !== undefined) bad.push(`${JSON.stringify(text)}: ${d}`);
    }
    expect(bad, bad.join('\n')).to.deep.equal([]);
  });
});

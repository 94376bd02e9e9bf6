// Character classes of SWI-Prolog's tokeniser as regexp source, for the lexer's
// token patterns. ASCII is spelled out by the lexer; the non-ASCII code points come
// from chars-data.ts (Unicode properties, precomputed by chars-gen.ts), which is how
// SWI decides that `été` is an atom, `Été` a variable, `×` a symbol char and `½` a solo.
//
// Chevrotain adds the sticky flag by rebuilding a pattern from its source and drops
// the `u` flag, so code points above U+FFFF are matched as surrogate pairs.
import { READ_CLASS_RANGES } from './chars-data.js';
import { decodeRanges as decode, type Range } from '../src/util/ranges.js';

/** A set of non-ASCII code points as regexp pieces. */
export interface CharSet {
  /** Class body (no brackets) of its BMP members, `\uXXXX` escaped. */
  readonly bmp: string;
  /** Alternation of surrogate pairs for its members above U+FFFF ('' if none). */
  readonly astral: string;
  /** Every UTF-16 unit that can start a member (for Chevrotain's start_chars_hint). */
  readonly starts: readonly number[];
}


const hex = (c: number): string => '\\u' + c.toString(16).padStart(4, '0');
const classBody = (rs: readonly Range[]): string =>
  rs.map(([a, b]) => (a === b ? hex(a) : b === a + 1 ? hex(a) + hex(b) : `${hex(a)}-${hex(b)}`)).join('');

function charSet(...ranges: Range[][]): CharSet {
  const all = ranges.flat().sort((a, b) => a[0] - b[0]);
  const bmp: Range[] = [];
  const lows = new Map<number, Range[]>(); // high surrogate -> low surrogate ranges
  const starts: number[] = [];
  for (const [lo, hi] of all) {
    if (lo <= 0xffff) {
      const h = Math.min(hi, 0xffff);
      bmp.push([lo, h]);
      for (let c = lo; c <= h; c++) starts.push(c);
    }
    for (let c = Math.max(lo, 0x10000); c <= hi;) {
      const high = 0xd800 + ((c - 0x10000) >> 10);
      const blockEnd = Math.min(hi, 0x10000 + ((high - 0xd800 + 1) << 10) - 1);
      const list = lows.get(high) ?? [];
      list.push([0xdc00 + ((c - 0x10000) & 0x3ff), 0xdc00 + ((blockEnd - 0x10000) & 0x3ff)]);
      lows.set(high, list);
      c = blockEnd + 1;
    }
  }
  // Consecutive high surrogates with the same low ranges share one alternative.
  const alts: string[] = [];
  const highs = [...lows.keys()].sort((a, b) => a - b);
  for (let i = 0; i < highs.length;) {
    const body = classBody(lows.get(highs[i]!)!);
    let j = i;
    while (j + 1 < highs.length && highs[j + 1] === highs[j]! + 1 && classBody(lows.get(highs[j + 1]!)!) === body) j++;
    alts.push(`[${classBody([[highs[i]!, highs[j]!]])}][${body}]`);
    for (let h = highs[i]!; h <= highs[j]!; h++) starts.push(h);
    i = j + 1;
  }
  return { bmp: classBody(bmp), astral: alts.join('|'), starts };
}

const R = {
  upper: decode(READ_CLASS_RANGES.upper),
  lower: decode(READ_CLASS_RANGES.lower),
  cont: decode(READ_CLASS_RANGES.cont),
  symbol: decode(READ_CLASS_RANGES.symbol),
  layout: decode(READ_CLASS_RANGES.layout),
  solo: decode(READ_CLASS_RANGES.solo),
};

/** Starts a variable: uppercase letters. */
export const UPPER = charSet(R.upper);
/** Starts an atom: other letters. */
export const LOWER = charSet(R.lower);
/** Continues a name (letters, marks, digits, connector punctuation). */
export const ALNUM = charSet(R.upper, R.lower, R.cont);
/** Symbol chars (glue with `#$&*+-./:<=>?@^~\`). */
export const SYMBOL = charSet(R.symbol);
/** Layout (no code point above U+FFFF is layout). */
export const LAYOUT = charSet(R.layout);
/** An atom on its own (`½`, `!`-like). */
export const SOLO = charSet(R.solo);

/** Regexp source for one code point of `asciiBody` (a class body) or of `set`. */
export function oneOf(asciiBody: string, set: CharSet): string {
  const cls = `[${asciiBody}${set.bmp}]`;
  return set.astral === '' ? cls : `(?:${cls}|${set.astral})`;
}
